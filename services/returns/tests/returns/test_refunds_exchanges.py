"""Refund caps, goodwill, refunds without a parcel, the payment port, exchanges, withdrawal."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from aftersales_chassis import Role
from aftersales_chassis.testing import Tokens, eventually

from ..kit import AUTHORISED_AGENT, known_order, open_return, received_return


async def _post(client: httpx.AsyncClient, path: str, role: Role, body: dict[str, Any] | None = None,
                scopes: tuple[str, ...] = ()) -> httpx.Response:  # fmt: skip
    tokens: Tokens = client.tokens  # type: ignore[attr-defined]
    return await client.post(path, json=body or {}, headers=tokens.headers(role, scopes=scopes))


@pytest.fixture(autouse=True)
def _attach(client: httpx.AsyncClient, tokens: Tokens) -> None:
    client.tokens = tokens  # type: ignore[attr-defined]


async def _approved(client: httpx.AsyncClient, tokens: Tokens, **kw: Any) -> str:
    rid: str = (await open_return(client, tokens, **kw))["id"]
    assert (await _post(client, f"/returns/{rid}/approve", Role.supervisor)).status_code == 200
    return rid


@pytest.mark.parametrize(
    ("role", "scopes", "status"), [(Role.supervisor, (), 200), (Role.agent, ("refund:approve",), 403)]
)
async def test_goodwill_on_top_needs_a_supervisor(
    client: httpx.AsyncClient, tokens: Tokens, role: Role, scopes: tuple[str, ...], status: int
) -> None:
    rid = (await received_return(client, tokens))["id"]
    body = {"amount_minor": 15900 + 1200 + 500, "freight_minor": 1200, "goodwill_minor": 500}
    response = await _post(client, f"/returns/{rid}/refund", role, body, scopes)
    assert response.status_code == status, response.text
    if status == 403:
        assert response.json()["rule"] == "T2A.goodwill-by-supervisor"


async def test_authorised_agent_refunds_up_to_the_cap(client: httpx.AsyncClient, tokens: Tokens) -> None:
    rid = (await received_return(client, tokens))["id"]
    scopes = (AUTHORISED_AGENT.scope or "",)
    over = await _post(
        client, f"/returns/{rid}/refund", Role.agent, {"amount_minor": 17101, "freight_minor": 1200}, scopes
    )
    assert over.status_code == 422
    assert over.json()["rule"] == "T2A.refund-within-received"
    at = await _post(
        client, f"/returns/{rid}/refund", Role.agent, {"amount_minor": 17100, "freight_minor": 1200}, scopes
    )
    assert at.status_code == 200


async def test_two_returns_of_one_order_never_refund_more_than_was_paid(
    client: httpx.AsyncClient, tokens: Tokens
) -> None:
    order = await known_order(client, tokens)
    first = await _approved(client, tokens, order_id=order, lines=[{"sku": "SKU-TEA", "quantity": 1}],
                            requested_refund_minor=6450)  # fmt: skip
    too_many = await client.post(
        "/returns",
        json={"order_id": order, "reason": "again", "lines": [{"sku": "SKU-TEA", "quantity": 2}],
              "requested_refund_minor": 0},
        headers=tokens.headers(Role.agent),
    )  # fmt: skip
    assert too_many.status_code == 422
    assert too_many.json()["rule"] == "T1A2.quantity-within-order"
    assert too_many.json()["returnable"] == 1
    await _post(client, f"/returns/{first}/receipt", Role.warehouse)
    assert (await _post(client, f"/returns/{first}/refund", Role.supervisor, {"amount_minor": 6450})).status_code == 200


@pytest.mark.parametrize(
    ("kind", "amount", "status"),
    [
        ("lost_in_transit", 15900, 200),
        ("lost_in_transit", 15901, 422),
        ("goodwill", 15900, 200),
        ("goodwill", 15901, 422),
    ],
)
async def test_refund_without_parcel_is_capped_by_what_was_paid(
    client: httpx.AsyncClient, tokens: Tokens, kind: str, amount: int, status: int
) -> None:
    rid = await _approved(client, tokens)
    body = {"kind": kind, "amount_minor": amount, "note": "courier lost it"}
    response = await _post(client, f"/returns/{rid}/refund-without-parcel", Role.supervisor, body)
    assert response.status_code == status, response.text


@pytest.mark.parametrize("role", [Role.agent, Role.warehouse, Role.finance])
async def test_refund_without_parcel_is_supervisor_only(client: httpx.AsyncClient, tokens: Tokens, role: Role) -> None:
    rid = await _approved(client, tokens)
    body = {"kind": "goodwill", "amount_minor": 100, "note": "sorry"}
    assert (await _post(client, f"/returns/{rid}/refund-without-parcel", role, body)).status_code == 403


async def test_the_payment_port_pays_once_and_refund_issued_follows(
    app: Any, client: httpx.AsyncClient, tokens: Tokens
) -> None:
    rid = (await received_return(client, tokens))["id"]
    refunded = await _post(client, f"/returns/{rid}/refund", Role.supervisor, {"amount_minor": 15900})
    refund_id = refunded.json()["refund_id"]

    async def issued() -> dict[str, Any] | None:
        current: dict[str, Any] = (await client.get(f"/returns/{rid}", headers=tokens.headers(Role.agent))).json()
        return current if current["refund_issued_at"] else None

    current = await eventually(issued, timeout=10, message="the refund issued through the payment port")
    assert current["refund_reference"].startswith("FAKE-ONLINE-")
    paid = [r for r in app.state.payments.paid.values() if r.order_id == current["order_id"]]
    assert len(paid) == 1
    assert paid[0].amount_minor == 15900
    assert str(paid[0].refund_id) == refund_id


async def test_equal_value_exchange_ships_and_stocks_in(client: httpx.AsyncClient, tokens: Tokens) -> None:
    rid = (await received_return(client, tokens))["id"]
    different = await _post(
        client,
        f"/returns/{rid}/exchange",
        Role.agent,
        {"replacement_order_id": "TB-R1", "replacement_value_minor": 16000},
    )
    assert different.status_code == 422
    assert different.json()["rule"] == "T3B1.different-value"
    assert different.json()["difference_minor"] == 100
    equal = await _post(
        client,
        f"/returns/{rid}/exchange",
        Role.agent,
        {"replacement_order_id": "TB-R1", "replacement_value_minor": 15900},
    )
    assert equal.status_code == 200, equal.text
    assert equal.json()["state"] == "exchange_requested"
    assert (await _post(client, f"/returns/{rid}/exchange/ship", Role.agent)).status_code == 403
    shipped = await _post(client, f"/returns/{rid}/exchange/ship", Role.warehouse)
    assert shipped.json()["state"] == "exchange_shipped"
    stocked = await _post(client, f"/returns/{rid}/stock-in", Role.warehouse)
    assert stocked.json()["state"] == "stocked_in"
    history = (await client.get(f"/returns/{rid}/history", headers=tokens.headers(Role.agent))).json()
    assert [h["step"] for h in history][-3:] == ["T3A1", "T3A2", "T3A4"]


async def test_withdrawal_until_receipt_and_never_after_a_refund(client: httpx.AsyncClient, tokens: Tokens) -> None:
    rid = await _approved(client, tokens)
    withdrawn = await _post(client, f"/returns/{rid}/cancel", Role.agent, {"reason": "customer kept it"})
    assert withdrawn.json()["state"] == "cancelled"
    refunded = (await received_return(client, tokens))["id"]
    await _post(client, f"/returns/{refunded}/refund", Role.supervisor, {"amount_minor": 100})
    late = await _post(client, f"/returns/{refunded}/cancel", Role.agent, {"reason": "too late"})
    assert late.status_code == 409
    assert late.json()["current_state"] == "refunded"


async def test_a_customer_withdraws_only_their_own_return(client: httpx.AsyncClient, tokens: Tokens) -> None:
    rid = (await open_return(client, tokens))["id"]
    other = await client.post(f"/returns/{rid}/cancel", json={"reason": "x"},
                              headers=tokens.headers(Role.customer, subject="C-99"))  # fmt: skip
    assert other.status_code == 403
    own = await client.post(f"/returns/{rid}/cancel", json={"reason": "x"},
                            headers=tokens.headers(Role.customer, subject="C-42"))  # fmt: skip
    assert own.status_code == 200


async def test_tracking_number_is_entered_after_approval(client: httpx.AsyncClient, tokens: Tokens) -> None:
    rid = (await open_return(client, tokens))["id"]
    body = {"courier": "SF", "tracking_number": "SF123456"}
    assert (await _post(client, f"/returns/{rid}/tracking", Role.agent, body)).status_code == 409
    await _post(client, f"/returns/{rid}/approve", Role.supervisor)
    assert (await _post(client, f"/returns/{rid}/tracking", Role.warehouse, body)).status_code == 403
    entered = await _post(client, f"/returns/{rid}/tracking", Role.agent, body)
    assert entered.json()["return_tracking_number"] == "SF123456"


async def test_returns_need_a_shipped_order(client: httpx.AsyncClient, tokens: Tokens) -> None:
    unshipped = await known_order(client, tokens, shipped=False)
    response = await client.post(
        "/returns",
        json={"order_id": unshipped, "reason": "x", "lines": [{"sku": "SKU-TEA", "quantity": 1}],
              "requested_refund_minor": 0},
        headers=tokens.headers(Role.agent),
    )  # fmt: skip
    assert response.status_code == 422
    assert response.json()["rule"] == "T1A2.order-shipped"


async def test_a_held_refund_waits_and_its_clock_pauses(client: httpx.AsyncClient, tokens: Tokens) -> None:
    rid = (await received_return(client, tokens))["id"]
    assert (await _post(client, f"/returns/{rid}/refund-hold", Role.agent, {"reason": "QC"})).status_code == 403
    held = await _post(client, f"/returns/{rid}/refund-hold", Role.supervisor, {"reason": "QC inspection pending"})
    assert held.json()["refund_hold_reason"] == "QC inspection pending"
    clocks = (await client.get("/sla/clocks", params={"aggregate_id": rid, "step": "T2A"},
                               headers=tokens.headers(Role.supervisor))).json()["items"]  # fmt: skip
    assert [c["status"] for c in clocks] == ["paused"]
    blocked = await _post(client, f"/returns/{rid}/refund", Role.supervisor, {"amount_minor": 100})
    assert blocked.status_code == 422
    assert blocked.json()["rule"] == "T2A.refund-on-hold"
    await _post(client, f"/returns/{rid}/refund-release", Role.supervisor)
    assert (await _post(client, f"/returns/{rid}/refund", Role.supervisor, {"amount_minor": 100})).status_code == 200
