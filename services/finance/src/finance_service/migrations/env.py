from aftersales_workflow.migrations import run_service_migrations
from finance_service.ledger.models import Base

run_service_migrations(Base.metadata)
