from aftersales_chassis.alembic_env import import_models
from aftersales_workflow.migrations import run_service_migrations
from tickets_service.db import Base

import_models("tickets_service")  # every feature's tables on Base.metadata
run_service_migrations(Base.metadata)
