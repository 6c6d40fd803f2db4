"""§8: an order with an open complaint is not settled. A complaint closed and then reopened
(tickets publishes ComplaintOpened again, still carrying the first arrival as ``opened_at``)
holds its order again until it closes again. The hold follows the events' own time (when
tickets recorded them), whatever order they arrive in and however often."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import httpx

from aftersales_chassis import Role
from aftersales_chassis.testing import Tokens
from aftersales_events import ConsumerRunner, EventPayload
from aftersales_events.catalogue import tickets as tix
from aftersales_events.testing import consumer_record, wrap

from .kit import feed, paid_order

OCTOBER = datetime(2026, 10, 12, 3, tzinfo=UTC)
T1, T2, T3, T4 = (OCTOBER + timedelta(days=n) for n in (1, 2, 3, 4))  # opened, closed, reopened, closed again


class Complaint:
    """One complaint's events as tickets records them: each opening carries the first arrival."""

    def __init__(self, order_id: str, merchant: str) -> None:
        self.id, self.order_id, self.merchant = uuid.uuid4(), order_id, merchant

    def opened(self) -> tix.ComplaintOpened:
        return tix.ComplaintOpened(complaint_id=self.id, order_id=self.order_id, merchant_id=self.merchant,
                                   opened_at=T1)  # fmt: skip

    def closed(self, at: datetime) -> tix.ComplaintClosed:
        return tix.ComplaintClosed(complaint_id=self.id, order_id=self.order_id, resolution="resolved", closed_at=at)


async def _deliver(runner: ConsumerRunner, complaint: Complaint, *steps: tuple[str, datetime]) -> None:
    """``("open", T3)``: ComplaintOpened recorded at T3; ``("close", T2)``: ComplaintClosed at T2."""
    for kind, at in steps:
        payload: EventPayload = complaint.opened() if kind == "open" else complaint.closed(at)
        assert await runner.process(consumer_record(wrap(payload, subject=str(complaint.id), at=at))) == "applied"


async def _excluded(client: httpx.AsyncClient, tokens: Tokens, merchant: str) -> set[str]:
    draft = await client.post(
        "/settlements", json={"merchant_id": merchant, "month": "2026-10"}, headers=tokens.headers(Role.finance)
    )
    assert draft.status_code == 201, draft.text
    excluded = {x["order_id"] for x in draft.json()["excluded"] if x["reason"] == "open_complaint"}
    assert excluded.isdisjoint(x["order_id"] for x in draft.json()["included"])
    return excluded


async def test_a_reopened_complaint_holds_its_order_again_until_it_closes_again(
    runner: ConsumerRunner, client: httpx.AsyncClient, tokens: Tokens
) -> None:
    merchant = f"m-{uuid.uuid4().hex[:8]}"
    names = ("closed", "reopened", "reclosed", "late_reopen", "late_close", "duplicates")
    orders = {name: f"{merchant}-{name}" for name in names}
    for order_id in orders.values():
        await feed(runner, *paid_order(order_id, merchant, 1000, OCTOBER))
    c = {name: Complaint(order_id, merchant) for name, order_id in orders.items()}
    await _deliver(runner, c["closed"], ("open", T1), ("close", T2))
    await _deliver(runner, c["reopened"], ("open", T1), ("close", T2), ("open", T3))
    await _deliver(runner, c["reclosed"], ("open", T1), ("close", T2), ("open", T3), ("close", T4))
    # Out of order: the reopening first, then the older close and the first opening: still held.
    await _deliver(runner, c["late_reopen"], ("open", T3), ("close", T2), ("open", T1))
    # Out of order: the last close first, then everything before it: not held.
    await _deliver(runner, c["late_close"], ("close", T4), ("open", T3), ("close", T2), ("open", T1))
    # Published twice (new envelopes, same times): the reopening and an old close again change nothing.
    await _deliver(runner, c["duplicates"], ("open", T1), ("close", T2), ("open", T3), ("open", T3), ("close", T2),
                   ("open", T1))  # fmt: skip

    held = {orders["reopened"], orders["late_reopen"], orders["duplicates"]}
    assert await _excluded(client, tokens, merchant) == held

    # The reopened ones close again (a redelivered envelope is dropped by the runner): all settle.
    for name in ("reopened", "late_reopen", "duplicates"):
        record = consumer_record(wrap(c[name].closed(T4), subject=str(c[name].id), at=T4))
        assert await runner.process(record) == "applied"
        assert await runner.process(record) == "duplicate"
    assert await _excluded(client, tokens, merchant) == set()


async def test_a_close_recorded_at_the_same_instant_as_the_opening_ends_it(
    runner: ConsumerRunner, client: httpx.AsyncClient, tokens: Tokens
) -> None:
    """Ties go to the later arrival (one complaint's events arrive in the order recorded)."""
    merchant = f"m-{uuid.uuid4().hex[:8]}"
    closed, reopened = f"{merchant}-closed", f"{merchant}-reopened"
    for order_id in (closed, reopened):
        await feed(runner, *paid_order(order_id, merchant, 1000, OCTOBER))
    a, b = Complaint(closed, merchant), Complaint(reopened, merchant)
    await _deliver(runner, a, ("open", T1), ("close", T1))
    await _deliver(runner, b, ("open", T1), ("close", T2), ("open", T2))
    assert await _excluded(client, tokens, merchant) == {reopened}
