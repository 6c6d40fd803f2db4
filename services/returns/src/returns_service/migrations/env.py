from aftersales_workflow.migrations import run_service_migrations
from returns_service.cancellations import models as cancellation_models
from returns_service.models import Base
from returns_service.orders import models as order_models
from returns_service.parcels import models as parcel_models
from returns_service.requests import models as request_models

_ = order_models, parcel_models, cancellation_models, request_models  # imported for their tables on Base.metadata
run_service_migrations(Base.metadata)
