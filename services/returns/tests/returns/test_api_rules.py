"""Who may do what (both ways), idempotency, and bad input never causing a 500."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from aftersales_chassis import Grant, Role
from aftersales_chassis.testing import Tokens

from ..kit import AUTHORISED_AGENT, known_order, new_return_body, open_return, received_return

ALL_ROLES = list(Role)


def _headers(tokens: Tokens, grant: Role | Grant) -> dict[str, str]:
    if isinstance(grant, Grant):
        return tokens.headers(grant.role, scopes=[grant.scope] if grant.scope else [])
    return tokens.headers(grant)


@pytest.mark.parametrize("role", ALL_ROLES)
async def test_only_agents_and_supervisors_open_returns(client: httpx.AsyncClient, tokens: Tokens, role: Role) -> None:
    body = new_return_body(await known_order(client, tokens))
    response = await client.post("/returns", json=body, headers=tokens.headers(role))
    assert response.status_code == (201 if role in {Role.agent, Role.supervisor} else 403)


@pytest.mark.parametrize("role", ALL_ROLES)
async def test_only_supervisors_approve(client: httpx.AsyncClient, tokens: Tokens, role: Role) -> None:
    rid = (await open_return(client, tokens))["id"]
    response = await client.post(f"/returns/{rid}/approve", json={}, headers=tokens.headers(role))
    assert response.status_code == (200 if role is Role.supervisor else 403)


@pytest.mark.parametrize("role", ALL_ROLES)
async def test_only_the_warehouse_confirms_receipt(client: httpx.AsyncClient, tokens: Tokens, role: Role) -> None:
    rid = (await open_return(client, tokens))["id"]
    await client.post(f"/returns/{rid}/approve", json={}, headers=tokens.headers(Role.supervisor))
    response = await client.post(f"/returns/{rid}/receipt", json={}, headers=tokens.headers(role))
    assert response.status_code == (200 if role is Role.warehouse else 403)


@pytest.mark.parametrize(
    ("grant", "status"),
    [
        (Role.supervisor, 200),
        (AUTHORISED_AGENT, 200),
        (Role.agent, 403),  # an agent without refund:approve
        (Grant(Role.warehouse, "refund:approve"), 403),
        (Role.finance, 403),
        (Role.customer, 403),
    ],
)
async def test_refund_needs_a_supervisor_or_an_authorised_agent(
    client: httpx.AsyncClient, tokens: Tokens, grant: Role | Grant, status: int
) -> None:
    rid = (await received_return(client, tokens))["id"]
    response = await client.post(f"/returns/{rid}/refund", json={"amount_minor": 1000}, headers=_headers(tokens, grant))
    assert response.status_code == status, response.text


async def test_no_token_is_401_and_a_forged_token_too(client: httpx.AsyncClient) -> None:
    missing = await client.post("/returns", json=new_return_body("TB-any"))
    assert missing.status_code == 401
    assert missing.headers["www-authenticate"] == "Bearer"
    forged = Tokens("another-key-that-is-long-enough-to-sign-tokens")
    bad = await client.post("/returns", json=new_return_body("TB-any"), headers=forged.headers(Role.agent))
    assert bad.status_code == 401


async def test_same_idempotency_key_has_one_effect(client: httpx.AsyncClient, tokens: Tokens) -> None:
    order = await known_order(client, tokens)
    body = new_return_body(order)
    headers = {**tokens.headers(Role.agent), "Idempotency-Key": f"k-{order}"}
    first, second = await asyncio.gather(
        client.post("/returns", json=body, headers=headers), client.post("/returns", json=body, headers=headers)
    )
    assert {first.status_code, second.status_code} == {201}
    assert first.json()["id"] == second.json()["id"]
    listed = await client.get("/returns", params={"order_id": order}, headers=tokens.headers(Role.agent))
    assert len(listed.json()["items"]) == 1
    other = await client.post("/returns", json=new_return_body(order, reason="other"), headers=headers)
    assert other.status_code == 422
    assert other.json()["type"].endswith("/idempotency-key-reused")


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"lines": [{"sku": "SKU-TEA", "quantity": 0}]}, "body.lines[0].quantity"),
        ({"lines": [{"sku": "SKU-TEA", "quantity": 1, "reason": "bored"}]}, "body.lines[0].reason"),
        ({"lines": [{"sku": "SKU-TEA", "quantity": 1, "unit_price_minor": 1}]}, "body.lines[0].unit_price_minor"),
        ({"requested_refund_minor": -1}, "body.requested_refund_minor"),
        ({"freight_payer": "courier"}, "body.freight_payer"),
        ({"surprise": 1}, "body.surprise"),
    ],
)
async def test_invalid_fields_are_named(
    client: httpx.AsyncClient, tokens: Tokens, body: dict[str, object], field: str
) -> None:
    response = await client.post("/returns", json=new_return_body("TB-x", **body), headers=tokens.headers(Role.agent))
    assert response.status_code == 422
    assert field in [error["field"] for error in response.json()["errors"]]


async def test_malformed_json_and_bad_ids_are_4xx(client: httpx.AsyncClient, tokens: Tokens) -> None:
    headers = {**tokens.headers(Role.agent), "content-type": "application/json"}
    assert (await client.post("/returns", content=b"{not json", headers=headers)).status_code == 422
    assert (await client.get("/returns/not-a-uuid", headers=headers)).status_code == 422
    assert (await client.get("/returns", params={"cursor": "%%%"}, headers=headers)).status_code == 422
    assert (await client.get("/returns", params={"limit": 0}, headers=headers)).status_code == 422


def test_every_business_route_declares_its_roles() -> None:
    from returns_service.returns.api import router

    for route in router.routes:
        dependant = getattr(route, "dependant", None)
        assert dependant is not None
        calls = [d.call for d in dependant.dependencies]
        assert any(hasattr(call, "allowed_grants") for call in calls), route


async def test_a_rule_error_names_its_field_as_a_validation_error_does(
    client: httpx.AsyncClient, tokens: Tokens
) -> None:
    """One field path shape (issue 17 item 11): the schema's refusal of a quantity and the
    rule's refusal of one too many both say ``body.lines[i].quantity``."""
    order = await known_order(client, tokens)
    headers = tokens.headers(Role.agent)
    lines = [{"sku": "SKU-TEA", "quantity": 2, "reason": "damaged_in_transit"}]
    too_many = [*lines, {"sku": "SKU-CUP", "quantity": 5, "reason": "quality_problem"}]
    rule = await client.post("/returns", json=new_return_body(order, lines=too_many), headers=headers)
    assert rule.status_code == 422
    assert (rule.json()["rule"], rule.json()["field"]) == ("T1A2.quantity-within-order", "body.lines[1].quantity")
    zero = [*lines, {"sku": "SKU-CUP", "quantity": 0, "reason": "quality_problem"}]
    schema = await client.post("/returns", json=new_return_body(order, lines=zero), headers=headers)
    assert schema.status_code == 422
    assert [error["field"] for error in schema.json()["errors"]] == ["body.lines[1].quantity"]
    unknown = [{"sku": "SKU-NOPE", "quantity": 1, "reason": "quality_problem"}]
    refused = await client.post("/returns", json=new_return_body(order, lines=unknown), headers=headers)
    assert (refused.json()["rule"], refused.json()["field"]) == ("T1A2.line-in-order", "body.lines[0].sku")


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"requested_refund_minor": "12900"}, "body.requested_refund_minor"),
        ({"requested_refund_minor": 12900.0}, "body.requested_refund_minor"),
        ({"freight_minor": "1200"}, "body.freight_minor"),
        ({"lines": [{"sku": "SKU-TEA", "quantity": 1.0, "reason": "damaged_in_transit"}]}, "body.lines[0].quantity"),
        ({"lines": [{"sku": "SKU-TEA", "quantity": "1", "reason": "damaged_in_transit"}]}, "body.lines[0].quantity"),
    ],
)
async def test_money_and_quantities_are_integers_not_strings_or_floats(
    client: httpx.AsyncClient, tokens: Tokens, change: dict[str, object], field: str
) -> None:
    """Issue 17 item 10: "12900" and 1.0 were read as 12900 and 1; now the field is named."""
    order = await known_order(client, tokens)
    refused = await client.post("/returns", json=new_return_body(order, **change), headers=tokens.headers(Role.agent))
    assert refused.status_code == 422
    assert [(e["field"], e["code"]) for e in refused.json()["errors"]] == [(field, "int_type")]
    taken = await client.post("/returns", json=new_return_body(order), headers=tokens.headers(Role.agent))
    assert taken.status_code == 201


async def test_the_openapi_says_money_and_quantities_are_strict(client: httpx.AsyncClient) -> None:
    schemas = (await client.get("/openapi.json")).json()["components"]["schemas"]
    for name, prop in [
        ("ReturnCreate", "requested_refund_minor"),
        ("ReturnLineIn", "quantity"),
        ("RefundIn", "amount_minor"),
    ]:
        assert schemas[name]["properties"][prop]["x-strict-integer"] is True, (name, prop)
