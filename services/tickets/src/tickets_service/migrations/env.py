from aftersales_sla.migrations import run_service_migrations
from tickets_service.models import Base

run_service_migrations(Base.metadata)
