"""The tickets service: complaints, after-sale cases (C, K, P flows), approvals, reports (§3, §4)."""

from aftersales_chassis import ServiceDefinition, create_app
from aftersales_sla import SlaExtension

from .settings import TicketsSettings
from .sla import POLICIES

definition = ServiceDefinition(
    name="tickets",
    title="Tickets service",
    description=(
        "Complaints from every channel, after-sale cases (C, K, P flows), approvals and reports (PROCESSES.md §3, §4)."
    ),
    extensions=[SlaExtension(POLICIES)],
    settings_factory=TicketsSettings,
    routers=[],
)
app = create_app(definition)
