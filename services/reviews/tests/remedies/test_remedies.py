"""Remedies Z4 → Z5 → Z6: every remedy for an order, together, within its paid price (exact minor
units, at the limit, a supervisor too, cumulative, racing); a different supervisor approves;
RemedyApproved at Z6 carries what finance books; a remedy never depends on an amendment."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import httpx
import pytest

from aftersales_chassis import ManualClock, Role
from aftersales_chassis.db import Database
from aftersales_chassis.testing import Tokens
from aftersales_events import ConsumerRunner

from ..kit import act, bad_case, decide_remedy, events_of, explained_case, propose, review, take_in

PAID = 12900


@pytest.mark.parametrize(("role", "subject"), [(Role.agent, "ann"), (Role.supervisor, "sue")])
async def test_a_remedy_equal_to_the_paid_price_passes_and_one_unit_more_does_not(
    client: httpx.AsyncClient, tokens: Tokens, runner: ConsumerRunner, clock: ManualClock, role: Role, subject: str
) -> None:
    case = await explained_case(client, tokens, runner, clock.now(), PAID)
    refused = await propose(client, tokens, case["id"], PAID + 1, role=role, subject=subject, status=422)
    assert (refused["rule"], refused["field"], refused["available_minor"]) == (
        "Z4.remedy-within-paid-price",
        "body.amount_minor",
        PAID,
    )
    accepted = await propose(client, tokens, case["id"], PAID, role=role, subject=subject)
    assert (accepted["state"], accepted["cap_minor"], accepted["granted_before_minor"]) == ("proposed", PAID, 0)
    assert (await propose(client, tokens, case["id"], 1, role=role, subject=subject, status=422))[
        "available_minor"
    ] == 0


async def test_remedies_are_cumulative_per_order_and_refused_ones_free_the_price(
    client: httpx.AsyncClient, tokens: Tokens, runner: ConsumerRunner, clock: ManualClock
) -> None:
    case = await explained_case(client, tokens, runner, clock.now(), PAID)
    first = await propose(client, tokens, case["id"], 9000)
    over = await propose(client, tokens, case["id"], PAID - 9000 + 1, status=422)
    assert (over["granted_minor"], over["available_minor"]) == (9000, PAID - 9000)
    second = await propose(client, tokens, case["id"], PAID - 9000)  # exactly what is left
    assert second["granted_before_minor"] == 9000
    await decide_remedy(client, tokens, first["id"], "reject")
    third = await propose(client, tokens, case["id"], 9000)  # the rejected one no longer counts
    assert third["granted_before_minor"] == PAID - 9000
    # Declined after approval: freed too.
    await decide_remedy(client, tokens, third["id"], "approve")
    await decide_remedy(client, tokens, third["id"], "decline", role=Role.agent, subject="ann")
    assert (await propose(client, tokens, case["id"], 9000))["granted_before_minor"] == PAID - 9000
    listed = await client.get("/remedies", params={"case_id": case["id"]}, headers=tokens.headers(Role.agent))
    assert sorted(r["state"] for r in listed.json()) == ["declined", "proposed", "proposed", "rejected"]


async def test_two_proposals_racing_for_the_last_of_the_price_cannot_both_pass(
    client: httpx.AsyncClient, tokens: Tokens, runner: ConsumerRunner, clock: ManualClock
) -> None:
    case = await explained_case(client, tokens, runner, clock.now(), PAID)
    body = {"case_id": case["id"], "kind": "refund", "description": "half", "amount_minor": 7000}
    results = await asyncio.gather(
        *(client.post("/remedies", json=body, headers=tokens.headers(Role.agent, subject=f"a{i}")) for i in range(4))
    )
    assert sorted(r.status_code for r in results) == [201, 422, 422, 422]


async def test_the_approver_is_a_different_supervisor_and_z6_publishes_what_finance_books(
    client: httpx.AsyncClient, tokens: Tokens, runner: ConsumerRunner, clock: ManualClock, database: Database
) -> None:
    case = await explained_case(client, tokens, runner, clock.now(), PAID)
    remedy = await propose(client, tokens, case["id"], 2000, role=Role.supervisor, subject="sue")
    own = await decide_remedy(client, tokens, remedy["id"], "approve", subject="sue", status=403)
    assert own["rule"] == "Z5.different-person"
    await decide_remedy(client, tokens, remedy["id"], "approve", role=Role.agent, subject="ann", status=403)
    await decide_remedy(client, tokens, remedy["id"], "agree", role=Role.agent, status=409)  # not approved yet
    approved = await decide_remedy(client, tokens, remedy["id"], "approve", subject="sam")
    assert (approved["state"], approved["approved_by"], approved["allowed_actions"]) == (
        "approved",
        "sam",
        ["agree", "decline"],
    )
    assert await events_of(database, remedy["id"]) == []  # nothing owed before the customer agrees
    clock.advance(timedelta(minutes=5))
    agreed = await decide_remedy(client, tokens, remedy["id"], "agree", role=Role.agent, subject="ann")
    assert agreed["state"] == "agreed"
    [(name, data)] = await events_of(database, remedy["id"])
    assert name == "RemedyApproved"
    assert (data["order_id"], data["amount_minor"], data["currency"], data["approved_by"], data["kind"]) == (
        case["order_id"],
        2000,
        "CNY",
        "sam",
        "compensation",
    )
    assert (data["remedy_id"], data["review_id"]) == (remedy["id"], case["review_pk"])
    history = (await client.get(f"/remedies/{remedy['id']}/history", headers=tokens.headers(Role.agent))).json()
    assert [(h["step"], h["actor"]) for h in history] == [("Z4", "sue"), ("Z5", "sam"), ("Z6", "ann")]


async def test_a_remedy_never_depends_on_an_amendment(
    client: httpx.AsyncClient, tokens: Tokens, runner: ConsumerRunner, clock: ManualClock
) -> None:
    case = await explained_case(client, tokens, runner, clock.now(), PAID)
    conditional = await client.post(
        "/remedies",
        json={
            "case_id": case["id"],
            "kind": "voucher",
            "description": "x",
            "amount_minor": 100,
            "conditional_on_amendment": True,
        },
        headers=tokens.headers(Role.agent),
    )
    assert conditional.status_code == 422  # no such field: the API cannot tie them
    # Asked to amend first, the remedy still goes its own way; and the amendment needs no remedy.
    await act(client, tokens, case["id"], "ask-amend")
    remedy = await propose(client, tokens, case["id"], 500)
    await decide_remedy(client, tokens, remedy["id"], "approve")
    # The review is never amended: the window closes, and the remedy is agreed all the same.
    clock.advance(timedelta(days=31))
    await act(client, tokens, case["id"], "close-window")
    assert (await decide_remedy(client, tokens, remedy["id"], "agree", role=Role.agent))["state"] == "agreed"


async def test_a_remedy_needs_a_quality_case_past_z3_and_a_paid_order(
    client: httpx.AsyncClient, tokens: Tokens, clock: ManualClock
) -> None:
    case = await bad_case(client, tokens, clock.now(), order_id="TB-never-paid")
    early = await propose(client, tokens, case["id"], 100, status=409)
    assert early["rule"] == "Z4.after-z3"
    for action, body in (("call", {"finding": "quality", "note": "x"}), ("listen", None), ("explain", None)):
        await act(client, tokens, case["id"], action, body)
    unknown = await propose(client, tokens, case["id"], 100, status=422)
    assert unknown["rule"] == "Z4.order-paid-known"
    misunderstanding = await bad_case(client, tokens, clock.now())
    await act(client, tokens, misunderstanding["id"], "call", {"finding": "misunderstanding", "note": "x"})
    assert (await propose(client, tokens, misunderstanding["id"], 100, status=409))["rule"] == "Z4.after-z3"
    for role in (Role.customer, Role.finance, Role.service):
        await propose(client, tokens, case["id"], 100, role=role, status=403)
    await propose(client, tokens, case["id"], 0, status=422)
    await propose(client, tokens, case["id"], -1, status=422)
    taken = await take_in(client, tokens, review(clock.now(), stars=1))
    assert taken["case_id"]
