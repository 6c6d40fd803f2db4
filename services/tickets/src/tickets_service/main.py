"""The tickets service: complaints, after-sale cases (C, K, P flows), approvals and reports (PROCESSES.md §3, §4)."""

from aftersales_chassis import ServiceDefinition, create_app
from aftersales_chassis.storage import AttachmentsExtension
from aftersales_sla import SlaExtension

from .cases.api import router as cases_router
from .complaints.api import router as complaints_router
from .consumers import HANDLERS
from .discounts.api import router as discounts_router
from .inquiries.api import router as inquiries_router
from .kpis.api import router as kpis_router
from .ratings.api import router as ratings_router
from .red_black_list.api import router as red_black_router
from .red_black_list.jobs import JOBS as RED_BLACK_JOBS
from .red_black_list.jobs import RunningSettings
from .reports.api import router as reports_router
from .reports.metrics import JOBS as GAUGE_JOBS
from .settings import TicketsSettings
from .sla import POLICIES

definition = ServiceDefinition(
    name="tickets",
    title="Tickets service",
    description="Complaints, after-sale cases (C, K, P flows), approvals and reports (PROCESSES.md §3, §4).",
    extensions=[
        RunningSettings(),
        SlaExtension(POLICIES, jobs=[*RED_BLACK_JOBS, *GAUGE_JOBS]),
        AttachmentsExtension("tickets"),
    ],
    handlers=HANDLERS,
    settings_factory=TicketsSettings,
    routers=[
        complaints_router,
        cases_router,
        reports_router,
        red_black_router,
        inquiries_router,
        discounts_router,
        ratings_router,
        kpis_router,
    ],
    openapi_tags=[
        {
            "name": "cases",
            "description": "After-sale cases (§3), one per order problem, 30 wd cycle: C1 → C2 (short or wrong "
            "shipment), K1 → K2 (courier), P1 → P2B → P2B1 → P2B2 → P2B3 / P2A → P2A1 → P2A2 (quality), then C3: "
            "C3A a return, or C3B → C3B1 → C3B2 a discount within the exchange cost. Evidence, the customer's view.",
        },
        {
            "name": "inquiries",
            "description": "Pre-sale (§1): A1 inquiries from the shop chat and by agents, A3 detail questions "
            "(24 h), conversion by an order within the window, failures kept, the follow-up queue.",
        },
        {"name": "discounts", "description": "A5: an agent grants up to 20 yuan per order; above it a supervisor."},
        {"name": "ratings", "description": "§9: post-contact ratings (customer satisfaction, target ≥ 90%)."},
        {"name": "kpis", "description": "§9: per-agent KPIs with their formulas; refund follow-ups."},
    ],
)
app = create_app(definition)
