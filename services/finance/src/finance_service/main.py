"""The finance service: Double-entry ledger, monthly tables, period close and merchant settlement (PROCESSES.md §8)."""

from aftersales_chassis import ServiceDefinition, create_app

from .settings import FinanceSettings

definition = ServiceDefinition(
    name="finance",
    title="Finance service",
    description="Double-entry ledger, monthly tables, period close and merchant settlement (PROCESSES.md §8).",
    settings_factory=FinanceSettings,
    routers=[],
)
app = create_app(definition)
