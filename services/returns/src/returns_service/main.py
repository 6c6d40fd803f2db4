"""The returns service: Refunds, returns, exchanges and warehouse parcels (PROCESSES.md §6)."""

from aftersales_chassis import ServiceDefinition, create_app
from aftersales_sla import SlaExtension

from .cancellations.api import router as cancellations_router
from .consumers import HANDLERS
from .orders.api import router as orders_router
from .parcels.api import router as parcels_router
from .parcels.jobs import JOBS as PARCEL_JOBS
from .payments import PaymentsExtension
from .reports.api import router as reports_router
from .reports.jobs import JOBS as REPORT_JOBS
from .requests.api import router as requests_router
from .returns.api import router
from .settings import ReturnsSettings
from .sla import POLICIES

definition = ServiceDefinition(
    name="returns",
    title="Returns service",
    description="Refunds, returns, exchanges and warehouse parcels (PROCESSES.md §6).",
    extensions=[PaymentsExtension(), SlaExtension(POLICIES, jobs=[*PARCEL_JOBS, *REPORT_JOBS])],
    handlers=HANDLERS,
    settings_factory=ReturnsSettings,
    routers=[router, requests_router, orders_router, cancellations_router, parcels_router, reports_router],
    openapi_tags=[
        {
            "name": "refund requests",
            "description": "Refund requests (退款申请): T1 → T1B1 (not shipped) or T1A1 → T1A2 (shipped).",
        },
        {"name": "returns", "description": "Returns after shipment: T1A2 → T1A3 → T1A4 → M → T1A5 → T2A → T1B3."},
        {"name": "cancellations", "description": "Cancellations: T1 → T1B1 → T1B2 (refund only once confirmed); §6.4."},
        {"name": "reports", "description": "Daily detail, monthly T4 summary, return rate (CSV or JSON)."},
        {"name": "orders", "description": "Order facts from the shop's order system (intake) and lookups."},
        {"name": "parcels", "description": "Warehouse parcels: scanners, matching, unclaimed register (M … M12)."},
    ],
)
app = create_app(definition)
