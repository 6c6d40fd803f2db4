"""One trace across two services (ADR 0018): a refund approved over HTTP in returns (T2A) and
applied by finance's consumer, both running as processes with tracing on, each writing its
spans to a file (the SDK's console exporter as JSON lines). The RefundApproved event carries
the request's trace context through returns' outbox, its relay and the broker, so finance's
`process` span belongs to the request's trace and is the child of a span returns made."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx

from aftersales_chassis import Role
from aftersales_chassis.testing import Tokens, eventually
from aftersales_devstack.pytest_plugin import ServiceRunner

REFUND_APPROVED = "aftersales.returns.RefundApproved.v1"


def _spans(path: Path) -> list[dict[str, Any]]:
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


async def test_a_refund_approved_in_returns_and_applied_in_finance_is_one_trace(
    run_service: ServiceRunner, service_database_url: Callable[..., str], jwt_secret: str, tmp_path: Path
) -> None:
    tokens = Tokens(jwt_secret)
    files = {name: tmp_path / f"{name}-spans.jsonl" for name in ("returns", "finance")}

    def traced(name: str, **extra: str) -> dict[str, str]:
        prefix = name.upper() + "_"
        return {prefix + "TRACING_ENABLED": "true", prefix + "TRACE_FILE": str(files[name]), **extra}

    group = f"finance-traces-{uuid.uuid4().hex[:6]}"
    with (
        run_service("finance", database_url=service_database_url("finance", suffix="traces"),
                    extra_env=traced("finance", FINANCE_CONSUMER_GROUP=group)) as finance,
        run_service("returns", database_url=service_database_url("returns", suffix="traces"),
                    extra_env=traced("returns")) as returns,
    ):  # fmt: skip
        async with httpx.AsyncClient(timeout=10) as http:
            order = f"TB-TRACE-{uuid.uuid4().hex[:6]}"
            facts = [
                {"kind": "placed", "shop_event_id": f"{order}-placed", "order_id": order, "customer_id": "C-3",
                 "occurred_at": "2026-11-20T10:00:00+08:00", "merchant_id": "M-001",
                 "lines": [{"sku": "SKU-TR", "quantity": 1, "unit_price_minor": 8800}]},
                {"kind": "paid", "shop_event_id": f"{order}-paid", "order_id": order, "paid_minor": 8800,
                 "occurred_at": "2026-11-20T10:01:00+08:00"},
                {"kind": "shipped", "shop_event_id": f"{order}-shipped", "order_id": order, "courier": "SF",
                 "tracking_number": f"SF{order}", "occurred_at": "2026-11-21T09:00:00+08:00"},
            ]  # fmt: skip
            for fact in facts:
                assert (
                    await http.post(f"{returns.url}/order-facts", json=fact, headers=tokens.headers(Role.service))
                ).is_success
            created = await http.post(
                f"{returns.url}/returns",
                json={"order_id": order, "reason": "damaged", "requested_refund_minor": 8800,
                      "lines": [{"sku": "SKU-TR", "quantity": 1, "reason": "damaged_in_transit"}]},
                headers=tokens.headers(Role.agent),
            )  # fmt: skip
            assert created.status_code == 201, created.text
            rid = created.json()["id"]
            for action, role, body in [
                ("approve", Role.supervisor, {}),
                ("receipt", Role.warehouse, {}),
                ("refund", Role.supervisor, {"amount_minor": 8800}),
            ]:
                done = await http.post(f"{returns.url}/returns/{rid}/{action}", json=body, headers=tokens.headers(role))
                assert done.status_code == 200, (action, done.text)

            def refund_request() -> list[dict[str, Any]]:
                return [
                    s for s in _spans(files["returns"])
                    if s["kind"] == "SpanKind.SERVER" and s["name"] == "POST /returns/{return_id}/refund"
                ]  # fmt: skip

            [request] = await eventually(refund_request, message="returns' span of the refund request")
            trace_id = request["context"]["trace_id"]

            def finance_processed() -> list[dict[str, Any]]:
                # finance's new group reads returns.events from the start: other tests' refunds come first
                return [
                    s for s in _spans(files["finance"])
                    if s["name"] == f"process {REFUND_APPROVED}" and s["context"]["trace_id"] == trace_id
                ]  # fmt: skip

            [consumer] = await eventually(finance_processed, timeout=60, message="finance's span of this refund")

            async def booked() -> bool:
                # Every page: in the whole suite finance has booked other tests' refunds too.
                params: dict[str, str | int] = {"account": "customer_refunds_payable", "limit": 200}
                while True:
                    page = (
                        await http.get(
                            f"{finance.url}/ledger/transactions", params=params, headers=tokens.headers(Role.finance)
                        )
                    ).json()
                    if any(tx["details"].get("return_id") == rid for tx in page["items"]):
                        return True
                    if page["next_cursor"] is None:
                        return False
                    params["cursor"] = page["next_cursor"]

            await eventually(booked, timeout=30, message="the refund booked in finance's ledger")

    returns_spans = _spans(files["returns"])
    # finance's span is a child of a span of returns' request: the context crossed the broker
    assert consumer["parent_id"] in {
        s["context"]["span_id"] for s in returns_spans if s["context"]["trace_id"] == trace_id
    }
    assert consumer["resource"]["attributes"]["service.name"] == "aftersales-finance"
    assert request["resource"]["attributes"]["service.name"] == "aftersales-returns"
    # finance's booking (its deferred writes, flushed after the handlers) is in the trace too
    finance_spans = _spans(files["finance"])
    # (its child when this refund's event was the batch's first traced one, else a link to it)
    flushes = {
        s["context"]["span_id"] for s in finance_spans
        if s["name"] == "flush deferred writes"
        and trace_id in {s["context"]["trace_id"], *(link["context"]["trace_id"] for link in s.get("links", []))}
    }  # fmt: skip
    assert any(s["parent_id"] in flushes and s["attributes"].get("db.system") == "postgresql" for s in finance_spans)
    # returns' database work of that request is in the same trace
    assert any(s["context"]["trace_id"] == trace_id and s["attributes"].get("db.system") == "postgresql"
               for s in returns_spans)  # fmt: skip
