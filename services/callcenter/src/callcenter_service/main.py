"""The callcenter service: call log, callback queue, reminders, deposit cancellations (PROCESSES.md §7, §2)."""

from aftersales_chassis import ServiceDefinition, create_app
from aftersales_sla import SlaExtension

from .callbacks.api import do_not_call_router, queue_router
from .callbacks.api import router as callbacks_router
from .callbacks.jobs import JOBS as GAUGE_JOBS
from .calls.api import router as calls_router
from .calls.jobs import JOBS as CALL_JOBS
from .consumers import HANDLERS
from .deposits.api import router as deposits_router
from .reminders.api import router as reminders_router
from .reminders.jobs import JOBS as REMINDER_JOBS
from .reminders.messaging import MessagingExtension
from .reviews.api import router as review_calls_router
from .settings import CallcenterSettings, SettingsExtension
from .sla import POLICIES

definition = ServiceDefinition(
    name="callcenter",
    title="Callcenter service",
    description="Call log, callback queue, reminders, deposit cancellations (PROCESSES.md §7, §2).",
    extensions=[
        SettingsExtension(),
        MessagingExtension(),
        SlaExtension(POLICIES, jobs=[*CALL_JOBS, *REMINDER_JOBS, *GAUGE_JOBS]),
    ],
    handlers=HANDLERS,
    settings_factory=CallcenterSettings,
    routers=[
        callbacks_router,
        queue_router,
        do_not_call_router,
        calls_router,
        reminders_router,
        deposits_router,
        review_calls_router,
    ],
    openapi_tags=[
        {"name": "callbacks", "description": "§7.2 outbound callback queue: tasks, leased claims, outcomes."},
        {"name": "calls", "description": "§7.1 inbound call log, call-loss rate, missed-call list and sweeps."},
        {"name": "deposit cancellations", "description": "§7.3 deposit cancellations (退订), merchant asked, ledger."},
        {"name": "reminders", "description": "§2 unpaid-order reminders B1–B5: chat, SMS, phone; scripts (B2)."},
    ],
)
app = create_app(definition)
