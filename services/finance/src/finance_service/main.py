"""The finance service: Double-entry ledger, monthly tables, period close and merchant settlement (PROCESSES.md §8)."""

from aftersales_chassis import ServiceDefinition, create_app

from .api import router
from .consumers import HANDLERS
from .settings import FinanceSettings

definition = ServiceDefinition(
    name="finance",
    title="Finance service",
    description="Double-entry ledger, monthly tables, period close and merchant settlement (PROCESSES.md §8).",
    settings_factory=FinanceSettings,
    routers=[router],
    handlers=HANDLERS,
    openapi_tags=[{"name": "ledger", "description": "Double-entry ledger fed by money events."}],
)
app = create_app(definition)
