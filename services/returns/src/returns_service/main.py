"""The returns service: Refunds, returns, exchanges and warehouse parcels (PROCESSES.md §6)."""

from aftersales_chassis import ServiceDefinition, create_app
from aftersales_sla import SlaExtension

from .api import router
from .settings import ReturnsSettings
from .sla import POLICIES

definition = ServiceDefinition(
    name="returns",
    title="Returns service",
    description="Refunds, returns, exchanges and warehouse parcels (PROCESSES.md §6).",
    extensions=[SlaExtension(POLICIES)],
    settings_factory=ReturnsSettings,
    routers=[router],
    openapi_tags=[{"name": "returns", "description": "Returns after shipment: T1A2 → T1A3 → T1A5 → T2A."}],
)
app = create_app(definition)
