"""The finance service: Double-entry ledger, monthly tables, period close and merchant settlement (PROCESSES.md §8)."""

from aftersales_chassis import ServiceDefinition, create_app
from aftersales_sla import SlaExtension

from .business_calendar import BusinessZoneExtension
from .consumers import HANDLERS
from .ledger.api import router as ledger_router
from .merchants.api import router as merchants_router
from .periods.api import router as periods_router
from .settings import FinanceSettings
from .settlement.api import router as settlement_router
from .settlement.jobs import JOBS
from .sla import POLICIES

definition = ServiceDefinition(
    name="finance",
    title="Finance service",
    description="Double-entry ledger, monthly tables, period close and merchant settlement (PROCESSES.md §8).",
    # The zone extension reads the calendar the SLA extension provides: after it.
    extensions=[SlaExtension(POLICIES, jobs=JOBS), BusinessZoneExtension()],
    settings_factory=FinanceSettings,
    routers=[ledger_router, periods_router, settlement_router, merchants_router],
    handlers=HANDLERS,
    openapi_tags=[
        {"name": "ledger", "description": "Double-entry ledger fed by money events."},
        {"name": "settlements", "description": "Merchant settlement on the 10th (§8)."},
        {"name": "merchants", "description": "What each merchant is owed: its payable sub-ledger and statement."},
    ],
)
app = create_app(definition)
