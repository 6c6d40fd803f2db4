"""§4.6: the month's red/black list is decided by the end of the 10th of the next month (§10: "by
the 10th" means by the end of the 10th, in the calendar's zone). One clock per month, started when
the list is nominated, due at that instant whenever it started; stopped by the decision."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from aftersales_calendar import WallClock
from aftersales_sla import SlaPolicy

from ..reports.periods import add_months, local_midnight

STEP = "§4.6"
AGGREGATE = "red_black_list"

POLICY = SlaPolicy(
    step=STEP,
    title="A supervisor decides the month's red/black list of merchants by the end of the 10th of the next "
    "month (TICKETS_RED_BLACK_RULES.decide_by_day; the calendar's zone)",
    # The headline: from the month's end (the 1st, 00:00) to the end of the 10th is 10 days; each
    # clock is due at that instant (SlaClocks.start(due=...)) whenever the list was nominated.
    duration=WallClock(timedelta(days=10)),
    warn_before=WallClock(timedelta(days=2)),
    role="supervisor",
    starts="the month's list nominated (the 1st, 00:30, or POST /red-black-lists/{month}/nominate)",
    stops="the list decided (POST /red-black-lists/{month}/decide)",
    source="seed 001 三.2-3 每月10日前针对上月的红黑榜评选; 三.5 月度红黑榜提名",
)


def due_at(month: date, zone: ZoneInfo, by_day: int) -> datetime:
    """The end of ``by_day`` of the month after ``month``: the next day's 00:00, local."""
    return local_midnight(add_months(month, 1).replace(day=by_day) + timedelta(days=1), zone)


def rule_text(by_day: int) -> str:
    return f"by the end of day {by_day} of the next month"
