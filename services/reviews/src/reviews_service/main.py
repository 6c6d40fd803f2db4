"""The reviews service: neutral and negative reviews, remedies and malicious-review reports (PROCESSES.md §5)."""

from aftersales_chassis import ServiceDefinition, create_app
from aftersales_sla import SlaExtension

from .consumers import HANDLERS
from .orders.api import router as orders_router
from .settings import ReviewsSettings
from .sla import POLICIES

definition = ServiceDefinition(
    name="reviews",
    title="Reviews service",
    description="Neutral and negative reviews, remedies and malicious-review reports (PROCESSES.md §5).",
    extensions=[SlaExtension(POLICIES)],
    handlers=HANDLERS,
    settings_factory=ReviewsSettings,
    routers=[orders_router],
)
app = create_app(definition)
