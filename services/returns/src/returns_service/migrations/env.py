from aftersales_sla.migrations import run_service_migrations
from returns_service.models import Base
from returns_service.orders import models as order_models

_ = order_models  # imported for its tables on Base.metadata
run_service_migrations(Base.metadata)
