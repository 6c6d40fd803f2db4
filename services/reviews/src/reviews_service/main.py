"""The reviews service: neutral and negative reviews, remedies and malicious-review reports (PROCESSES.md §5)."""

from aftersales_chassis import ServiceDefinition, create_app
from aftersales_chassis.storage import AttachmentsExtension
from aftersales_sla import SlaExtension

from .consumers import HANDLERS
from .figures.api import router as figures_router
from .figures.jobs import JOBS as FIGURE_JOBS
from .marketplaces.api import router as marketplaces_router
from .marketplaces.port import MarketplaceExtension
from .orders.api import router as orders_router
from .remedies.api import router as remedies_router
from .reports.api import router as reports_router
from .reviews.api import intake_router
from .reviews.api import router as cases_router
from .reviews.jobs import JOBS as CASE_JOBS
from .settings import ReviewsSettings
from .sla import POLICIES

definition = ServiceDefinition(
    name="reviews",
    title="Reviews service",
    description="Neutral and negative reviews, remedies and malicious-review reports (PROCESSES.md §5).",
    extensions=[
        MarketplaceExtension(),
        AttachmentsExtension("reviews"),
        SlaExtension(POLICIES, jobs=[*CASE_JOBS, *FIGURE_JOBS]),
    ],
    handlers=HANDLERS,
    settings_factory=ReviewsSettings,
    routers=[
        intake_router,
        cases_router,
        remedies_router,
        reports_router,
        figures_router,
        marketplaces_router,
        orders_router,
    ],
    openapi_tags=[
        {"name": "reviews", "description": "Reviews as the marketplaces send them (intake, role service)."},
        {
            "name": "cases",
            "description": "A case per neutral or negative review: the 24 h call, then misunderstanding "
            "W1–W5, quality Z1–Z3 (remedies Z4–Z6) then W3–W5, or malicious E1–E3.",
        },
        {"name": "remedies", "description": "Z4 → Z5 → Z6: remedies within the order's paid price (cumulative)."},
        {"name": "malicious reviews", "description": "E2 report with evidence, the marketplace's outcome, E3 flag."},
        {"name": "figures", "description": "中差评处理表, product ratings (< 4.8 follow-ups), DSR per marketplace."},
        {"name": "marketplaces", "description": "Per-marketplace amendment policy (W3) and the marketplace port."},
        {"name": "orders", "description": "Order facts from the returns service's events (Z4's cap)."},
    ],
)
app = create_app(definition)
