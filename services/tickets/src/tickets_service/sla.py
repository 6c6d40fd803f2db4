"""SLA policies of the tickets service, by step id (PROCESSES.md): one SlaPolicy per timed step.

§4's bullets carry no ids in the seeds; the clocks are named by bullet (see
aftersales_events.steps: §4.2 named owner, §4.3 reply, §4.4 merchant's public reply, §4.5 the
inbound-call complaint's dedicated person)."""

from datetime import timedelta

from aftersales_calendar import WallClock, WorkingDays, WorkingHours
from aftersales_sla import PolicyBook, SlaPolicy

from .red_black_list.clock import POLICY as RED_BLACK_POLICY

_DAY = WallClock(timedelta(hours=24))
_DAY_WARN = WallClock(timedelta(hours=4))
_3WD = WorkingDays(3)
_3WD_WARN = WorkingHours(timedelta(hours=4))


def _accept(step: str, what: str, source: str) -> SlaPolicy:
    return SlaPolicy(
        step=step,
        title=f"Agent accepts the {what} case; the customer supplies evidence",
        duration=_DAY,
        warn_before=_DAY_WARN,
        role="agent",
        starts="case opened",
        stops="evidence complete and the case handed on (or the case closed)",
        source=source,
    )


# After-sale cases (§3): the 30 wd cycle of the whole case, and each timed step's clock.
CASE_POLICIES = [
    SlaPolicy(
        step="§3",
        title="After-sale case cycle: the case is finished within 30 working days",
        duration=WorkingDays(30),
        warn_before=WorkingDays(3),
        role="agent",
        starts="case opened (C1, K1, P1)",
        stops="the case ends: remedy refunded (C3B2), handed to the return flow (C3A, P2A2), or closed",
        source="seed 000 售后服务流程 三.1 流程周期: 30个工作日",
    ),
    _accept("C1", "short or wrong shipment", "seed 000 §7.1 1) C1: 24 h"),
    SlaPolicy(
        step="C2",
        title="Warehouse investigates the shipment (cannot prove it shipped right: liability warehouse)",
        duration=_DAY,
        warn_before=_DAY_WARN,
        role="warehouse",
        starts="case handed to the warehouse (C1 done)",
        stops="the warehouse's finding recorded",
        source="seed 000 §7.1 2) C2: 24 h",
    ),
    SlaPolicy(
        step="C3B1",
        title="Agent creates the abnormal-refund order (异常退款订单) for the agreed discount",
        duration=_DAY,
        warn_before=_DAY_WARN,
        role="agent",
        starts="the customer keeps the goods against a discount (C3B)",
        stops="abnormal-refund order created",
        source="seed 000 §7.1 6) C3B1: 24 h",
    ),
    SlaPolicy(
        step="C3B2",
        title="Supervisor approves the abnormal refund and refunds the customer",
        duration=_DAY,
        warn_before=_DAY_WARN,
        role="supervisor",
        starts="abnormal-refund order created (C3B1)",
        stops="approved (AbnormalRefundApproved) or rejected",
        source="seed 000 §7.1 7) C3B2: 24 h",
    ),
    _accept("K1", "courier damage, loss or delay", "seed 000 §7.2 1) K1: 24 h"),
    _accept("P1", "product quality", "seed 000 §7.3 P1: 24 h"),
    SlaPolicy(
        step="P2B1",
        title="OA complaint form (shop advances the return freight) approved by a supervisor",
        duration=_3WD,
        warn_before=_3WD_WARN,
        role="supervisor",
        starts="the agent judged it a quality problem (P2B) and filed the OA form",
        stops="the OA form approved (QualityReturnFreightAdvanced)",
        source="seed 000 §7.3.1 2) P2B1: 3 个工作日",
    ),
    SlaPolicy(
        step="P2B2",
        title="QC inspects the returned product with the OA form",
        duration=_3WD,
        warn_before=_3WD_WARN,
        role="qc",
        starts="the OA form approved (P2B1)",
        stops="QC's result recorded",
        source="seed 000 §7.3.1 3) P2B2: 3 个工作日",
    ),
    SlaPolicy(
        step="P2B3",
        title="Agent tells the customer QC's result",
        duration=_3WD,
        warn_before=_3WD_WARN,
        role="agent",
        starts="QC's result recorded (P2B2)",
        stops="the customer told; the case continues at C3",
        source="seed 000 §7.3.1 4) P2B3: 3 个工作日",
    ),
]

COMPLAINT_POLICIES = [
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
]

# Pre-sale (§1): a question about a detail the product page does not give (seed 002).
PRESALE_POLICIES = [
    SlaPolicy(
        step="A3",
        title="Answer a question about a detail not on the product page; the customer is told when and how",
        duration=_DAY,
        warn_before=_DAY_WARN,
        role="agent",
        starts="the agent records the detail question (POST /inquiries/{id}/detail-question)",
        stops="the answer recorded with when and how the customer was told (POST /inquiries/{id}/detail-answer)",
        source="seed 002: detalles no indicados en la descripción del producto: no debe exceder 24 horas, "
        "indicando el tiempo y el método de respuesta",
    ),
]

POLICIES = PolicyBook("tickets", [*COMPLAINT_POLICIES, *CASE_POLICIES, RED_BLACK_POLICY, *PRESALE_POLICIES])
