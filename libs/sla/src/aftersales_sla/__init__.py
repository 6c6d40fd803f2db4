"""SLA clocks on the business calendar: policies, clocks, scheduler, fixed-time jobs."""

from .clocks import SlaClocks, StoppedClock
from .extension import SlaDep, SlaExtension, get_sla_clocks
from .jobs import FixedTimeJob, JobContext
from .policy import PolicyBook, SlaPolicy
from .scheduler import SlaScheduler, TickResult
from .tables import scheduled_runs, sla_clocks, sla_metadata

__all__ = [
    "FixedTimeJob",
    "JobContext",
    "PolicyBook",
    "SlaClocks",
    "SlaDep",
    "SlaExtension",
    "SlaPolicy",
    "SlaScheduler",
    "StoppedClock",
    "TickResult",
    "get_sla_clocks",
    "scheduled_runs",
    "sla_clocks",
    "sla_metadata",
]
