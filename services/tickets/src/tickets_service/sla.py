"""SLA policies of the tickets service, by step id (PROCESSES.md): one SlaPolicy per timed step.

§4's bullets carry no ids in the seeds; the clocks are named by bullet (see
aftersales_events.steps: §4.2 named owner, §4.3 reply, §4.4 merchant's public reply, §4.5 the
inbound-call complaint's dedicated person)."""

from datetime import timedelta

from aftersales_calendar import WallClock, WorkingDays, WorkingHours
from aftersales_sla import PolicyBook, SlaPolicy

POLICIES = PolicyBook(
    "tickets",
    [
        SlaPolicy(
            step="§4.2",
            title="A named owner takes the complaint and investigates (响应)",
            duration=WallClock(timedelta(hours=1)),
            warn_before=WallClock(timedelta(minutes=15)),
            role="agent",
            starts="complaint recorded (any channel)",
            stops="an owner assigned (or, for a phone complaint, accepted by the dedicated person); merged; closed",
            pauses="waiting on the customer",
            source="seed 003: complaints answered within 1 hour, with a named owner",
        ),
        SlaPolicy(
            step="§4.3",
            title="First reply to the customer",
            duration=WallClock(timedelta(hours=2)),
            warn_before=WallClock(timedelta(minutes=30)),
            role="agent",
            starts="complaint recorded, or reopened",
            stops="the first reply; merged; closed",
            pauses="waiting on the customer",
            source="seed 003: inquiries and complaints get a reply within 2 hours",
        ),
        SlaPolicy(
            step="§4.4",
            title="The merchant posts a public reply to a forum or Weibo complaint",
            duration=WorkingDays(1),
            warn_before=WorkingHours(timedelta(hours=2)),
            role="merchant",
            starts="forum or Weibo complaint recorded",
            stops="the merchant's reply (POST /complaints/{id}/merchant-reply); merged; closed",
            pauses="waiting on the customer",
            source="seed 001: forum and Weibo complaints, the merchant replies within 1 working day",
        ),
        SlaPolicy(
            step="§4.5",
            title="The dedicated complaint owner accepts an inbound-call complaint (USERONLY)",
            duration=WallClock(timedelta(minutes=10)),
            warn_before=WallClock(timedelta(minutes=2)),
            role="agent",
            starts="phone complaint recorded: routed at once to the dedicated person (TICKETS_PHONE_COMPLAINT_OWNER)",
            stops="accepted, assigned by a supervisor, closed; when it runs out the complaint falls back to "
            "anyone (ANYONE)",
            source="seed 001: inbound-call complaints go at once to a dedicated person",
        ),
    ],
)
