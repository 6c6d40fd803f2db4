"""The callcenter service: Inbound call log and the prioritised outbound callback queue (PROCESSES.md §7)."""

from aftersales_chassis import ServiceDefinition, create_app

from .settings import CallcenterSettings

definition = ServiceDefinition(
    name="callcenter",
    title="Callcenter service",
    description="Inbound call log and the prioritised outbound callback queue (PROCESSES.md §7).",
    settings_factory=CallcenterSettings,
    routers=[],
)
app = create_app(definition)
