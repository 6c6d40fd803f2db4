"""The returns service: Refunds, returns, exchanges and warehouse parcels (PROCESSES.md §6)."""

from aftersales_chassis import ServiceDefinition, create_app

from .settings import ReturnsSettings

definition = ServiceDefinition(
    name="returns",
    title="Returns service",
    description="Refunds, returns, exchanges and warehouse parcels (PROCESSES.md §6).",
    settings_factory=ReturnsSettings,
    routers=[],
)
app = create_app(definition)
