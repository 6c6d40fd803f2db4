"""SLA policies of the returns service (PROCESSES.md §6), by step id."""

from datetime import timedelta

from aftersales_calendar import WallClock, WorkingDays, WorkingHours
from aftersales_sla import PolicyBook, SlaPolicy

POLICIES = PolicyBook(
    "returns",
    [
        SlaPolicy(
            step="T1A3",
            title="Supervisor reviews the return",
            duration=WorkingDays(1),
            warn_before=WorkingHours(timedelta(hours=2)),
            role="supervisor",
            starts="return filed (T1A2)",
            stops="approved or rejected",
            source="seed 003 §3.2: a decision within 1 working day (seed 000 gives 24 h)",
        ),
        SlaPolicy(
            step="T1A4",
            title="Agent enters the customer's return tracking number",
            duration=WallClock(timedelta(hours=24)),
            warn_before=WallClock(timedelta(hours=4)),
            role="agent",
            starts="return approved (T1A3)",
            stops="tracking number entered, or the parcel received",
            source="seed 000 §7.2 5)",
        ),
        SlaPolicy(
            step="T1A5",
            title="Warehouse confirms receipt",
            duration=WallClock(timedelta(hours=24)),
            warn_before=WallClock(timedelta(hours=4)),
            role="warehouse",
            starts="parcel logged at the warehouse (M)",
            stops="receipt confirmed",
            source="seed 000 §7.2 6)",
        ),
        SlaPolicy(
            step="T2A",
            title="Refund approved and its amount decided",
            duration=WallClock(timedelta(hours=48)),
            warn_before=WallClock(timedelta(hours=8)),
            role="supervisor-authorised agent",
            starts="receipt confirmed (T1A5)",
            stops="refund approved",
            pauses="a supervisor holds the refund (inspection pending)",
            source="seed 000 §7.2.1 9) T1B2: 48 h (seed 003: refund or exchange within 3 wd of receipt)",
        ),
        SlaPolicy(
            step="M2",
            title="Customer service identifies an unmatched parcel",
            duration=WallClock(timedelta(hours=24)),
            warn_before=WallClock(timedelta(hours=4)),
            role="agent",
            starts="parcel not matched automatically (M1)",
            stops="identified (M3 → M5) or recorded unclaimed (M4–M6)",
            source="seed 000 §7.2.3 4) M4–M6: 24 h (M2–M3 give none; one clock from the hand-over to CS)",
        ),
        SlaPolicy(
            step="T1B3",
            title="Warehouse stocks the returned goods in",
            duration=WallClock(timedelta(hours=24)),
            warn_before=WallClock(timedelta(hours=4)),
            role="warehouse",
            starts="refund approved (T1B2)",
            stops="stock-in confirmed",
            source="seed 000 §7.2.1 10)",
        ),
        SlaPolicy(
            step="T1B1",
            title="Warehouse cancels the paid, unshipped order",
            duration=WallClock(timedelta(hours=24)),
            warn_before=WallClock(timedelta(hours=4)),
            role="warehouse",
            starts="cancellation requested on a paid, unshipped order (T1)",
            stops="cancellation confirmed",
            source="seed 000 §7.1 3)",
        ),
        SlaPolicy(
            step="T1B2",
            title="Refund of a cancelled order",
            duration=WallClock(timedelta(hours=48)),
            warn_before=WallClock(timedelta(hours=8)),
            role="supervisor-authorised agent",
            starts="cancellation confirmed (T1B1) or the shipped parcel back",
            stops="refund approved",
            source="seed 000 §7.1 4)",
        ),
    ],
)
