"""The finance service: Double-entry ledger, monthly tables, period close and merchant settlement (PROCESSES.md §8)."""

from aftersales_chassis import ServiceDefinition, create_app
from aftersales_sla import SlaExtension

from .api import ROUTERS
from .consumers import HANDLERS
from .settings import FinanceSettings
from .settlement.jobs import JOBS
from .sla import POLICIES

definition = ServiceDefinition(
    name="finance",
    title="Finance service",
    description="Double-entry ledger, monthly tables, period close and merchant settlement (PROCESSES.md §8).",
    extensions=[SlaExtension(POLICIES, jobs=JOBS)],
    settings_factory=FinanceSettings,
    routers=ROUTERS,
    handlers=HANDLERS,
    openapi_tags=[
        {"name": "ledger", "description": "Double-entry ledger fed by money events."},
        {"name": "settlements", "description": "Merchant settlement on the 10th (§8)."},
    ],
)
app = create_app(definition)
