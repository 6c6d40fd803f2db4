"""The reviews service: neutral/negative reviews, remedies, malicious-review reports (§5)."""

from aftersales_chassis import ServiceDefinition, create_app

from .settings import ReviewsSettings

definition = ServiceDefinition(
    name="reviews",
    title="Reviews service",
    description="Neutral and negative review handling, remedies and malicious-review reports (PROCESSES.md §5).",
    settings_factory=ReviewsSettings,
    routers=[],
)
app = create_app(definition)
