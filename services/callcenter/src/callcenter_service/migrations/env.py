from aftersales_sla.migrations import run_service_migrations
from callcenter_service.models import Base

run_service_migrations(Base.metadata)
