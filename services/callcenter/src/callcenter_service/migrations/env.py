from aftersales_chassis.alembic_env import run_migrations
from callcenter_service.models import Base

run_migrations(Base.metadata)
