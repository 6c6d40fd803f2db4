"""§10's money rules on C3B discounts: cumulative per order within the exchange cost, checked at
request (C3B1) and again, on the order's locked row, when granted (C3B2); equal to the limit
passes, one minor unit above is refused for a supervisor too; the limit in force is stored with
each approval; the approver is never the requester; two concurrent grants cannot both pass."""

from __future__ import annotations

import asyncio

import httpx
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from aftersales_chassis import Role
from aftersales_chassis.settings import asyncpg_url
from aftersales_chassis.testing import Tokens

from .kit import abnormal_refund_requested, case_at_negotiation, new_order, outbox, post

SAM = {"subject": "sam"}


async def _granted(database_url: str, order_id: str) -> tuple[int, int]:
    engine = create_async_engine(asyncpg_url(database_url))
    try:
        async with engine.connect() as connection:
            row = (
                await connection.execute(
                    text("SELECT exchange_cost_minor, granted_minor FROM case_order_caps WHERE order_id = :o"),
                    {"o": order_id},
                )
            ).one()
            return int(row[0]), int(row[1])
    finally:
        await engine.dispose()


async def test_discounts_add_up_per_order_to_the_exchange_cost_and_not_a_fen_more(
    client: httpx.AsyncClient, tokens: Tokens, tickets_db: str
) -> None:
    order, supervisor = new_order(), tokens.headers(Role.supervisor, subject="sam")
    first, r1 = await abnormal_refund_requested(client, tokens, 3000, exchange_cost=5000, order_id=order, kind="C")
    one = await post(client, f"/cases/{first}/abnormal-refunds/{r1}/approve", supervisor)
    assert (one["limit_in_force_minor"], one["granted_before_minor"]) == (5000, 0)

    # the order's K case: its discount counts against the same cap; 2001 is one fen above what is left
    second = (await case_at_negotiation(client, tokens, order_id=order, kind="K"))["id"]
    await post(client, f"/cases/{second}/remedy", tokens.headers(Role.agent), {"remedy": "discount", "note": "keep"})
    above = await client.post(
        f"/cases/{second}/abnormal-refunds",
        json={"amount_minor": 2001, "exchange_cost_minor": 5000, "reason": "x"},
        headers=supervisor,  # a supervisor is held to it too
    )
    assert above.status_code == 422, above.text
    assert (above.json()["rule"], above.json()["limit_minor"], above.json()["field"]) == (
        "C3B.discount-within-exchange-cost", 2000, "body.amount_minor",
    )  # fmt: skip
    other_cost = await client.post(
        f"/cases/{second}/abnormal-refunds",
        json={"amount_minor": 100, "exchange_cost_minor": 9000, "reason": "x"},
        headers=tokens.headers(Role.agent),
    )
    assert (other_cost.status_code, other_cost.json()["rule"]) == (422, "C3B.exchange-cost-of-order")
    assert other_cost.json()["exchange_cost_minor"] == 5000
    at_limit = await post(client, f"/cases/{second}/abnormal-refunds", tokens.headers(Role.agent, subject="ann"),
                          {"amount_minor": 2000, "exchange_cost_minor": 5000, "reason": "the rest"})  # fmt: skip
    two = await post(client, f"/cases/{second}/abnormal-refunds/{at_limit['id']}/approve", supervisor)
    assert (two["state"], two["limit_in_force_minor"], two["granted_before_minor"]) == ("approved", 5000, 3000)
    assert await _granted(tickets_db, order) == (5000, 5000)
    [payload] = [p for name, p in await outbox(tickets_db, second) if name == "AbnormalRefundApproved"]
    assert (payload["amount_minor"], payload["liability"]) == (2000, "courier")


async def test_a_grant_is_checked_again_when_approved(client: httpx.AsyncClient, tokens: Tokens) -> None:
    """Two requests that each fit when made: the second's approval finds the first granted."""
    order, supervisor = new_order(), tokens.headers(Role.supervisor, subject="sam")
    first, r1 = await abnormal_refund_requested(client, tokens, 3000, exchange_cost=5000, order_id=order, kind="C")
    second, r2 = await abnormal_refund_requested(client, tokens, 2001, exchange_cost=5000, order_id=order, kind="K")
    await post(client, f"/cases/{first}/abnormal-refunds/{r1}/approve", supervisor)
    refused = await client.post(f"/cases/{second}/abnormal-refunds/{r2}/approve", json={}, headers=supervisor)
    assert refused.status_code == 422, refused.text
    assert (refused.json()["rule"], refused.json()["limit_minor"]) == ("C3B.discount-within-exchange-cost", 2000)
    still = (await client.get(f"/cases/{second}/abnormal-refunds", headers=supervisor)).json()
    assert [(r["state"], r["decided_by"]) for r in still] == [("requested", None)]  # nothing half-written
    assert (await client.get(f"/cases/{second}", headers=supervisor)).json()["state"] == "refund_requested"


async def test_the_approver_is_never_the_requester(client: httpx.AsyncClient, tokens: Tokens) -> None:
    case = await case_at_negotiation(client, tokens)
    cid, sam = case["id"], tokens.headers(Role.supervisor, subject="sam")
    await post(client, f"/cases/{cid}/remedy", sam, {"remedy": "discount", "note": "keeps it"})
    own = await post(client, f"/cases/{cid}/abnormal-refunds", sam,
                     {"amount_minor": 500, "exchange_cost_minor": 5000, "reason": "scratch"})  # fmt: skip
    for action, body in (("approve", {"note": "mine"}), ("reject", {"reason": "mine"})):
        refused = await client.post(f"/cases/{cid}/abnormal-refunds/{own['id']}/{action}", json=body, headers=sam)
        assert (refused.status_code, refused.json()["rule"]) == (403, "C3B2.approver-not-requester"), action
    by_agent = await client.post(f"/cases/{cid}/abnormal-refunds/{own['id']}/approve", json={},
                                 headers=tokens.headers(Role.agent, subject="ann"))  # fmt: skip
    assert by_agent.status_code == 403  # C3B2 is a supervisor's
    other = await post(client, f"/cases/{cid}/abnormal-refunds/{own['id']}/approve",
                       tokens.headers(Role.supervisor, subject="sue"))  # fmt: skip
    assert (other["decided_by"], other["requested_by"]) == ("sue", "sam")


async def test_bad_amounts_are_refused_naming_the_field(client: httpx.AsyncClient, tokens: Tokens) -> None:
    case = await case_at_negotiation(client, tokens)
    cid, agent = case["id"], tokens.headers(Role.agent)
    await post(client, f"/cases/{cid}/remedy", agent, {"remedy": "discount", "note": "keeps it"})
    for body, field in (
        ({"amount_minor": 0, "exchange_cost_minor": 5000, "reason": "x"}, "body.amount_minor"),
        ({"amount_minor": 1.5, "exchange_cost_minor": 5000, "reason": "x"}, "body.amount_minor"),
        ({"amount_minor": "10", "exchange_cost_minor": 5000, "reason": "x"}, "body.amount_minor"),
        ({"amount_minor": 10.0, "exchange_cost_minor": 5000, "reason": "x"}, "body.amount_minor"),
        ({"amount_minor": 10, "exchange_cost_minor": -1, "reason": "x"}, "body.exchange_cost_minor"),
        ({"amount_minor": 10**13, "exchange_cost_minor": 5000, "reason": "x"}, "body.amount_minor"),
    ):
        refused = await client.post(f"/cases/{cid}/abnormal-refunds", json=body, headers=agent)
        assert refused.status_code == 422, body
        assert field in [e["field"] for e in refused.json()["errors"]], refused.json()


async def test_two_concurrent_grants_cannot_both_pass(
    client: httpx.AsyncClient, tokens: Tokens, tickets_db: str
) -> None:
    """Each fits alone (3000 of 5000), not both: approved at the same moment, on real PostgreSQL,
    one waits for the other's lock on the order's row and then sees its grant."""
    for _ in range(3):
        order = new_order()
        first, r1 = await abnormal_refund_requested(client, tokens, 3000, exchange_cost=5000, order_id=order)
        second, r2 = await abnormal_refund_requested(client, tokens, 3000, exchange_cost=5000, order_id=order,
                                                     kind="K")  # fmt: skip
        answers = await asyncio.gather(
            client.post(f"/cases/{first}/abnormal-refunds/{r1}/approve", json={},
                        headers=tokens.headers(Role.supervisor, subject="sam")),
            client.post(f"/cases/{second}/abnormal-refunds/{r2}/approve", json={},
                        headers=tokens.headers(Role.supervisor, subject="sue")),
        )  # fmt: skip
        assert sorted(a.status_code for a in answers) == [200, 422], [a.text for a in answers]
        refused = next(a for a in answers if a.status_code == 422)
        assert (refused.json()["rule"], refused.json()["limit_minor"]) == ("C3B.discount-within-exchange-cost", 2000)
        assert await _granted(tickets_db, order) == (5000, 3000)
        events = [name for cid in (first, second) for name, _ in await outbox(tickets_db, cid)]
        assert events.count("AbnormalRefundApproved") == 1
