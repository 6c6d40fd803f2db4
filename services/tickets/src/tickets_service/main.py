"""The tickets service: complaints, after-sale cases (C, K, P flows), approvals and reports (PROCESSES.md §3, §4)."""

from aftersales_chassis import ServiceDefinition, create_app
from aftersales_chassis.storage import AttachmentsExtension
from aftersales_sla import SlaExtension

from .complaints.api import router as complaints_router
from .consumers import HANDLERS
from .settings import TicketsSettings
from .sla import POLICIES

definition = ServiceDefinition(
    name="tickets",
    title="Tickets service",
    description="Complaints, after-sale cases (C, K, P flows), approvals and reports (PROCESSES.md §3, §4).",
    extensions=[SlaExtension(POLICIES), AttachmentsExtension("tickets")],
    handlers=HANDLERS,
    settings_factory=TicketsSettings,
    routers=[complaints_router],
)
app = create_app(definition)
