"""The reviews service: neutral/negative reviews, remedies, malicious-review reports (§5)."""

from aftersales_chassis import ServiceDefinition, create_app
from aftersales_sla import SlaExtension

from .settings import ReviewsSettings
from .sla import POLICIES

definition = ServiceDefinition(
    name="reviews",
    title="Reviews service",
    description="Neutral and negative review handling, remedies and malicious-review reports (PROCESSES.md §5).",
    extensions=[SlaExtension(POLICIES)],
    settings_factory=ReviewsSettings,
    routers=[],
)
app = create_app(definition)
