"""Every operation of every service says, in its OpenAPI, who may call it and which problems
it can answer (a client generator or a gateway reads them there):

- a guarded operation carries ``x-roles`` and documents 401 and 403; only health, readiness and
  metrics are public;
- an operation with parameters or a body documents 422; one that names a record by its id in
  the path documents 404 (a PUT is an upsert; a month or a table name always exists);
- every problem it documents is ``application/problem+json`` with the ProblemDetail schema;
- a state-changing action on an aggregate (``POST .../{id}/<action>``) documents 409.
"""

from __future__ import annotations

import importlib
from typing import Any

import pytest

from aftersales_events.services import SERVICE_NAMES

PUBLIC = {"/healthz", "/readyz", "/metrics"}
PROBLEM = {"$ref": "#/components/schemas/ProblemDetail"}


def _operations(service: str) -> list[tuple[str, str, dict[str, Any]]]:
    app = importlib.import_module(f"{service}_service.main").app
    doc = app.openapi()
    return [
        (method.upper(), path, operation)
        for path, item in doc["paths"].items()
        for method, operation in item.items()
        if method in {"get", "post", "put", "patch", "delete"}
    ]


def contract_gaps(method: str, path: str, operation: dict[str, Any]) -> list[str]:
    """What the operation's OpenAPI fails to say; empty when it says everything."""
    where, responses = f"{method} {path}", operation.get("responses", {})
    if path in PUBLIC:
        return [f"{where}: public, yet declares roles"] if "x-roles" in operation else []
    gaps = []
    if not operation.get("x-roles"):
        gaps.append(f"{where}: no x-roles")
    gaps += [f"{where}: no {status}" for status in ("401", "403") if status not in responses]
    has_input = bool(operation.get("parameters")) or "requestBody" in operation
    if has_input and "422" not in responses:
        gaps.append(f"{where}: takes input, documents no 422")
    ids = [
        p for p in operation.get("parameters", [])
        if p.get("in") == "path" and (p["name"].endswith("_id") or p.get("schema", {}).get("format") == "uuid")
    ]  # fmt: skip
    if ids and method != "PUT" and "404" not in responses:
        gaps.append(f"{where}: names a resource, documents no 404")
    segments = path.rstrip("/").split("/")
    if method == "POST" and len(segments) >= 3 and segments[-2].startswith("{") and "409" not in responses:
        gaps.append(f"{where}: an action on a resource, documents no 409")
    for status, response in responses.items():
        if status[0] in "45":
            schema = response.get("content", {}).get("application/problem+json", {}).get("schema")
            if schema != PROBLEM:
                gaps.append(f"{where}: {status} is not a ProblemDetail")
    return gaps


@pytest.mark.parametrize("service", SERVICE_NAMES)
def test_every_operation_says_its_roles_and_problems(service: str) -> None:
    operations = _operations(service)
    assert len(operations) > 3, f"{service} serves no operations?"
    assert [gap for op in operations for gap in contract_gaps(*op)] == []


def test_the_contract_reader_finds_gaps() -> None:
    bare = {"parameters": [{"name": "thing_id", "in": "path"}], "responses": {"200": {}, "404": {}}}
    assert contract_gaps("POST", "/things/{thing_id}/close", bare) == [
        "POST /things/{thing_id}/close: no x-roles",
        "POST /things/{thing_id}/close: no 401",
        "POST /things/{thing_id}/close: no 403",
        "POST /things/{thing_id}/close: takes input, documents no 422",
        "POST /things/{thing_id}/close: an action on a resource, documents no 409",
        "POST /things/{thing_id}/close: 404 is not a ProblemDetail",
    ]
    assert contract_gaps("GET", "/healthz", {"responses": {"200": {}}}) == []
    unknown = {"x-roles": ["agent"], "parameters": [{"name": "thing_id", "in": "path"}]}
    assert "GET /things/{thing_id}: names a resource, documents no 404" in contract_gaps(
        "GET", "/things/{thing_id}", unknown
    )
