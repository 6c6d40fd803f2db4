"""C3A / P2A2 (PROCESSES.md §3 → §6): an after-sale case hands its customer over to returns
(AfterSaleReturnRequested, from tickets); the consumer opens a refund request at T1 for the
order, the case id in its reason. Once per event; nothing when returns cannot take it."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from aftersales_chassis import Role
from aftersales_chassis.testing import Tokens
from aftersales_events import ConsumerRunner
from aftersales_events.catalogue.tickets import AfterSaleReturnRequested
from aftersales_events.testing import consumer_record, wrap

from ..kit import known_order


@pytest.fixture
def runner(app: FastAPI) -> ConsumerRunner:
    """The app's own consumer runner (its database and resources: clock, calendar, payments)."""
    consumer: ConsumerRunner = app.state.consumer
    return consumer


def _handed_over(order_id: str, step: str = "C3A", reason: str = "wants to send it back") -> AfterSaleReturnRequested:
    return AfterSaleReturnRequested.model_validate(
        {"case_id": uuid.uuid4(), "case_kind": "C" if step == "C3A" else "P", "step": step, "order_id": order_id,
         "customer_id": "C-42", "reason": reason, "requested_by": "ann",
         "requested_at": datetime(2026, 11, 23, 2, 0, tzinfo=UTC)}
    )  # fmt: skip


async def _requests(client: httpx.AsyncClient, tokens: Tokens, order_id: str) -> list[dict[str, Any]]:
    page = await client.get("/refund-requests", params={"order_id": order_id}, headers=tokens.headers(Role.agent))
    assert page.status_code == 200, page.text
    items: list[dict[str, Any]] = page.json()["items"]
    return items


async def test_a_handed_over_case_opens_t1_once(
    client: httpx.AsyncClient, tokens: Tokens, runner: ConsumerRunner
) -> None:
    order = await known_order(client, tokens)
    event = _handed_over(order)
    record = consumer_record(wrap(event, subject=str(event.case_id)))
    assert await runner.process(record) == "applied"
    assert await runner.process(record) == "duplicate"
    [request] = await _requests(client, tokens, order)
    assert (request["state"], request["channel"], request["created_by"]) == ("open", "other", "tickets")
    assert request["reason"] == f"after-sale case {event.case_id} (C, C3A, by ann): wants to send it back"
    assert request["allowed_actions"] == ["route", "withdraw"]
    clocks = await client.get(
        "/sla/clocks", params={"aggregate_id": request["id"]}, headers=tokens.headers(Role.supervisor)
    )
    assert [c["step"] for c in clocks.json()["items"]] == ["T1"]  # the agent's 24 h to check the order
    routed = await client.post(f"/refund-requests/{request['id']}/route", json={}, headers=tokens.headers(Role.agent))
    assert routed.status_code == 200, routed.text
    assert routed.json()["state"] == "negotiating"  # shipped → T1A1


async def test_the_reason_is_cut_to_what_a_request_holds(
    client: httpx.AsyncClient, tokens: Tokens, runner: ConsumerRunner
) -> None:
    order = await known_order(client, tokens)
    event = _handed_over(order, step="P2A2", reason="x" * 600)
    assert await runner.process(consumer_record(wrap(event))) == "applied"
    [request] = await _requests(client, tokens, order)
    assert request["reason"].startswith(f"after-sale case {event.case_id} (P, P2A2, by ann): xxx")
    assert len(request["reason"]) == 500


async def test_nothing_is_opened_when_returns_cannot_take_it(
    client: httpx.AsyncClient, tokens: Tokens, runner: ConsumerRunner
) -> None:
    unknown = f"TB-UNKNOWN-{uuid.uuid4().hex[:8]}"
    assert await runner.process(consumer_record(wrap(_handed_over(unknown)))) == "applied"  # not parked in the DLQ
    assert await _requests(client, tokens, unknown) == []
    # The customer already asked here: that request carries on, no second one.
    order = await known_order(client, tokens)
    asked = await client.post("/refund-requests", json={"order_id": order, "reason": "broken"},
                              headers=tokens.headers(Role.agent))  # fmt: skip
    assert asked.status_code == 201, asked.text
    assert await runner.process(consumer_record(wrap(_handed_over(order)))) == "applied"
    assert [r["id"] for r in await _requests(client, tokens, order)] == [asked.json()["id"]]
