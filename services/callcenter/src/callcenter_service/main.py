"""The callcenter service: Inbound call log and the prioritised outbound callback queue (PROCESSES.md §7)."""

from aftersales_chassis import ServiceDefinition, create_app
from aftersales_sla import SlaExtension

from .settings import CallcenterSettings
from .sla import POLICIES

definition = ServiceDefinition(
    name="callcenter",
    title="Callcenter service",
    description="Inbound call log and the prioritised outbound callback queue (PROCESSES.md §7).",
    extensions=[SlaExtension(POLICIES)],
    settings_factory=CallcenterSettings,
    routers=[],
)
app = create_app(definition)
