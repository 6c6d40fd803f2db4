"""Every error is RFC 9457 problem+json; request validation is 422 and never a 500."""

from __future__ import annotations

import httpx
import pytest

from aftersales_chassis import Role

from .kit import Harness


def _problem(response: httpx.Response, status: int, code: str) -> dict[str, object]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body: dict[str, object] = response.json()
    assert body["type"] == f"https://aftersales.dev/problems/{code}"
    assert body["status"] == status
    assert body["title"]
    return body


def _errors(body: dict[str, object]) -> list[dict[str, str]]:
    errors = body["errors"]
    assert isinstance(errors, list)
    return errors


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"name": "w", "quantity": 0}, "body.quantity"),
        ({"name": "w", "quantity": "many"}, "body.quantity"),
        ({"quantity": 1}, "body.name"),
        ({"name": "", "quantity": 1}, "body.name"),
    ],
)
async def test_invalid_fields_are_named(harness: Harness, payload: dict[str, object], field: str) -> None:
    response = await harness.client.post("/widgets", json=payload, headers=harness.auth(Role.agent))
    body = _problem(response, 422, "validation-error")
    errors = _errors(body)
    assert [e["field"] for e in errors] == [field]
    assert all(e["message"] and e["code"] for e in errors)
    assert field in str(body["detail"])


@pytest.mark.parametrize("raw", [b"{not json", b"", b"[1, 2", b"\xff\xfe", b"X7\xc3\x28 not utf-8"])
async def test_malformed_json_is_422_not_500(harness: Harness, raw: bytes) -> None:
    headers = {**harness.auth(Role.agent), "Content-Type": "application/json"}
    response = await harness.client.post("/widgets", content=raw, headers=headers)
    body = _problem(response, 422, "validation-error")
    assert body["errors"]


async def test_text_the_database_cannot_store_is_a_422_naming_the_rule_and_writes_nothing(harness: Harness) -> None:
    name = "nul-\u0000-widget"  # valid JSON, a valid str; PostgreSQL's text cannot hold it
    created = await harness.client.post(
        "/widgets", json={"name": name, "quantity": 1}, headers=harness.auth(Role.agent)
    )
    body = _problem(created, 422, "rule-violation")
    assert body["rule"] == "text.no-nul-character"
    listed = await harness.client.get(
        "/widgets", params={"name_prefix": "nul-\u0000"}, headers=harness.auth(Role.agent)
    )
    assert _problem(listed, 422, "rule-violation")["rule"] == "text.no-nul-character"
    clean = await harness.client.get("/widgets", params={"name_prefix": "nul-"}, headers=harness.auth(Role.agent))
    assert clean.status_code == 200
    assert clean.json()["items"] == []


async def test_a_value_the_column_cannot_hold_is_a_422_and_writes_nothing(harness: Harness) -> None:
    """2^40 fits the request model but not the integer column: once a 409 'conflicts with stored data'."""
    name = "too-many-widgets"
    created = await harness.client.post(
        "/widgets", json={"name": name, "quantity": 2**40}, headers=harness.auth(Role.agent)
    )
    body = _problem(created, 422, "invalid-value")
    assert "out of" in str(body["detail"])
    listed = await harness.client.get("/widgets", params={"name_prefix": name}, headers=harness.auth(Role.agent))
    assert listed.json()["items"] == []


async def test_invalid_query_parameter_is_named(harness: Harness) -> None:
    response = await harness.client.get("/widgets", params={"limit": 0}, headers=harness.auth(Role.agent))
    body = _problem(response, 422, "validation-error")
    assert [e["field"] for e in _errors(body)] == ["query.limit"]


async def test_unknown_route_and_method_are_problems(harness: Harness) -> None:
    _problem(await harness.client.get("/nowhere"), 404, "not-found")
    _problem(await harness.client.delete("/widgets", headers=harness.auth(Role.agent)), 405, "method-not-allowed")


async def test_empty_idempotency_key_is_a_validation_error(harness: Harness) -> None:
    headers = {**harness.auth(Role.agent), "Idempotency-Key": ""}
    response = await harness.client.post("/widgets", json={"name": "w", "quantity": 1}, headers=headers)
    body = _problem(response, 422, "validation-error")
    assert [e["field"] for e in _errors(body)] == ["header.Idempotency-Key"]


async def test_health_and_readiness(harness: Harness) -> None:
    assert (await harness.client.get("/healthz")).json() == {"status": "ok"}
    ready = await harness.client.get("/readyz")
    assert ready.status_code == 200
    assert ready.json() == {"status": "ok", "checks": {"database": True, "broker": True}}


def test_messages_of_our_validators_lose_pydantic_s_prefix() -> None:
    from aftersales_chassis.problem_handlers import error_message

    assert error_message({"type": "value_error", "msg": "Value error, must be a day from …"}) == "must be a day from …"
    assert error_message({"type": "missing", "msg": "Field required"}) == "Field required"
