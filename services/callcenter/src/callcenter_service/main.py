"""The callcenter service: call log, callback queue, reminders, deposit cancellations (PROCESSES.md §7, §2)."""

from aftersales_chassis import ServiceDefinition, create_app
from aftersales_sla import SlaExtension

from .callbacks.api import do_not_call_router, queue_router
from .callbacks.api import router as callbacks_router
from .consumers import HANDLERS
from .settings import CallcenterSettings
from .sla import POLICIES

definition = ServiceDefinition(
    name="callcenter",
    title="Callcenter service",
    description="Call log, callback queue, reminders, deposit cancellations (PROCESSES.md §7, §2).",
    extensions=[SlaExtension(POLICIES)],
    handlers=HANDLERS,
    settings_factory=CallcenterSettings,
    routers=[callbacks_router, queue_router, do_not_call_router],
)
app = create_app(definition)
