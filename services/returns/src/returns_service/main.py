"""The returns service: Refunds, returns, exchanges and warehouse parcels (PROCESSES.md §6)."""

from aftersales_chassis import ServiceDefinition, create_app
from aftersales_sla import SlaExtension

from .api import router
from .consumers import HANDLERS
from .orders.api import router as orders_router
from .payments import PaymentsExtension
from .settings import ReturnsSettings
from .sla import POLICIES

definition = ServiceDefinition(
    name="returns",
    title="Returns service",
    description="Refunds, returns, exchanges and warehouse parcels (PROCESSES.md §6).",
    extensions=[PaymentsExtension(), SlaExtension(POLICIES)],
    handlers=HANDLERS,
    settings_factory=ReturnsSettings,
    routers=[router, orders_router],
    openapi_tags=[
        {"name": "returns", "description": "Returns after shipment: T1A2 → T1A3 → T1A4 → M → T1A5 → T2A → T1B3."},
        {"name": "orders", "description": "Order facts from the shop's order system (intake) and lookups."},
    ],
)
app = create_app(definition)
