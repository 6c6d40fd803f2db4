"""SLA policies of the reviews service, by step id (PROCESSES.md §5): one SlaPolicy per timed step."""

from datetime import timedelta

from aftersales_calendar import WallClock, WorkingDays, WorkingHours
from aftersales_sla import PolicyBook, SlaPolicy

POLICIES = PolicyBook(
    "reviews",
    [
        SlaPolicy(
            step="W1",
            title="Agent calls the customer about a neutral or negative review (W1/Z1/E1)",
            duration=WallClock(timedelta(hours=24)),
            warn_before=WallClock(timedelta(hours=4)),
            role="agent",
            starts="a neutral or negative review arrives; counted from the review's own time, so a review "
            "ingested late keeps its due time",
            stops="the call's finding is recorded (misunderstanding W1, quality Z1, malicious E1), or the "
            "review is changed to good (W5)",
            source="seed 000 中差評服務流程 7: 顧客評價之后,24小時內致電客戶",
        ),
        SlaPolicy(
            step="W4",
            title="Agent follows up whether the review was amended",
            duration=WorkingDays(3),
            warn_before=WorkingHours(timedelta(hours=4)),
            role="agent",
            starts="the customer is asked to amend (W3), and again after each follow-up",
            stops="a follow-up is recorded, the review changes (W5), or the marketplace's amendment window "
            "closes (not amended)",
            source="seed 000 中差評服務流程 7.1 4) W4: 工時 3個工作日",
        ),
    ],
)
