from aftersales_workflow.migrations import run_service_migrations
from reviews_service.models import Base

run_service_migrations(Base.metadata)
