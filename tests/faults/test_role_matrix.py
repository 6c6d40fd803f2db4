"""Issue 23, scenario 8: the role matrix, generated from the OpenAPI of every service.

Every operation of the five running services is called by every role (and by an agent
holding ``refund:approve``, the one scoped grant), and with each kind of bad credential: none,
not a bearer, expired, signed with another key, ``alg: none``, without ``sub``, not a JWT.
What the document declares (``x-roles``, written by the chassis from each route's one
``allow(...)``) is what must happen: a caller it names gets past the check (neither 401 nor
403), any other role gets 403 naming the roles that may, a bad credential gets 401, and a
public operation answers everyone.

Then two merchants and two customers: what one owns, the other neither reads nor acts on.
"""

from __future__ import annotations

import uuid
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import requests

from aftersales_chassis import Role
from aftersales_devstack.services import ServiceProcess

from .figures import Figure, record, size
from .generated_support import CALLERS, Caller, Operation, bad_tokens, call, cancel_on, operations

pytest_plugins = ("tests.faults.generated_support",)

BAD_SMALL = 2
"""Kinds of bad credential per operation under ``make test`` (all of them under ``make faults``)."""


def _check(
    http: requests.Session, url: str, operation: Operation, who: str, authorization: str | None, admitted: bool | None
) -> tuple[str, int, str | None]:
    """``admitted``: True a caller the roles name, False one they do not, None a bad credential."""
    headers = {"Authorization": authorization} if authorization else {}
    response = call(http, url, operation, headers)
    status = response.status_code
    wrong: str | None = None
    if status >= 500:
        wrong = "server error"
    elif operation.roles is None or admitted:
        if status in (401, 403):
            wrong = "refused a caller it admits"
    elif admitted is False:
        if status != 403:
            wrong = "not 403 for a role it does not name"
        elif response.json().get("allowed") != list(operation.roles):
            wrong = f"403 lists {response.json().get('allowed')}, the document {list(operation.roles)}"
    elif status != 401:
        wrong = "not 401 for a bad credential"
    detail = f"{operation.label} as {who}: {status} {response.text[:200]}" if wrong else None
    return (
        ("errored" if status >= 500 else "refused" if status in (401, 403) else "passed"),
        status,
        (f"{wrong}: {detail}" if wrong else None),
    )


def test_every_operation_by_every_role_and_every_bad_token(
    generated_stack: dict[str, ServiceProcess],
    documents: dict[str, dict[str, Any]],
    http: requests.Session,
    jwt_secret: str,
) -> None:
    found = operations(documents)
    guarded = [operation for operation in found if operation.roles is not None]
    assert len(guarded) > 200, "the documents name the roles of every business operation"
    tokens = {caller.label: "Bearer " + caller.token(jwt_secret) for caller in CALLERS}
    bad = list(bad_tokens(jwt_secret).items())
    per_operation = size(BAD_SMALL, len(bad))
    work: list[tuple[Operation, str, str | None, bool | None]] = []
    for i, operation in enumerate(found):
        for caller in CALLERS:
            work.append((operation, caller.label, tokens[caller.label], operation.admits(caller)))
        # Small runs give each operation a few kinds of bad credential, in turn, so that every
        # kind meets every service many times; full runs give every operation every kind.
        for j in range(per_operation):
            kind, authorization = bad[(i + j) % len(bad)]
            work.append((operation, kind, authorization, None if operation.roles is not None else True))

    def one(item: tuple[Operation, str, str | None, bool | None]) -> tuple[str, int, str | None]:
        operation, who, authorization, admitted = item
        return _check(http, generated_stack[operation.service].url, operation, who, authorization, admitted)

    with ThreadPoolExecutor(max_workers=5) as pool:
        results = list(pool.map(one, work))
    wrong = [problem for _, _, problem in results if problem]
    tenants = _tenants(generated_stack, http, jwt_secret)
    record(
        Figure(
            "8 role matrix",
            f"{len(found)} operations x ({len(CALLERS)} callers + {per_operation} of {len(bad)} kinds of bad "
            "credential), "
            f"then {tenants['checks']} cross-tenant reads and writes by 2 merchants and 2 customers",
            sent=len(work) + int(tenants["checks"]),
            refused=sum(1 for kind, _, _ in results if kind == "refused") + int(tenants["refused"]),
            errored=sum(1 for kind, _, _ in results if kind == "errored"),
            extra={
                "operations": len(found),
                "guarded": len(guarded),
                "wrong_answers": len(wrong),
                "cross_tenant_leaks": len(tenants["leaks"]),  # type: ignore[arg-type]
            },
        )
    )
    assert not wrong, "\n".join(wrong[:40])
    assert not tenants["leaks"], "\n".join(tenants["leaks"])  # type: ignore[arg-type]


def _tenants(stack: dict[str, ServiceProcess], http: requests.Session, secret: str) -> dict[str, Any]:
    """Merchants M-A and M-B, customers C-A and C-B (fresh ids per run): data of A, asked for by B."""
    run = uuid.uuid4().hex[:6]
    merchant = {side: f"M-{side}-{run}" for side in "AB"}
    customer = {side: f"C-{side}-{run}" for side in "AB"}

    def as_(role: Role, subject: str, merchant_id: str | None = None, scopes: tuple[str, ...] = ()) -> dict[str, str]:
        token = Caller(role, scopes=scopes, subject=subject, merchant_id=merchant_id).token(secret)
        return {"Authorization": f"Bearer {token}"}

    staff = {
        "agent": as_(Role.agent, "tenant-agent"),
        "finance": as_(Role.finance, "tenant-finance"),
        "service": as_(Role.service, "tenant-shop"),
    }
    url = {name: process.url for name, process in stack.items()}

    def made(response: requests.Response) -> dict[str, Any]:
        assert response.status_code in (200, 201), f"setting up tenants: {response.status_code} {response.text}"
        body: dict[str, Any] = response.json()
        return body

    # What A owns, made by staff and the shop.
    complaint = made(
        http.post(
            f"{url['tickets']}/complaints/intake",
            json={
                "channel": "email",
                "channel_message_id": f"tenant-{run}",
                "received_at": "2026-11-23T08:00:00+08:00",
                "sender": {"customer_id": customer["A"], "handle": f"a-{run}@example.com", "name": "Tenant A"},
                "subject": "where is my parcel",
                "body": "where is my parcel",
            },
            headers=staff["service"],
            timeout=30,
        )
    )
    case = made(
        http.post(
            f"{url['tickets']}/cases",
            json={
                "kind": "P",
                "order_id": f"O-A-{run}",
                "customer_id": customer["A"],
                "merchant_id": merchant["A"],
                "summary": "broken on arrival",
            },
            headers=staff["agent"],
            timeout=30,
        )
    )
    made(
        http.post(
            f"{url['returns']}/order-facts",
            json={
                "shop_event_id": f"placed-A-{run}",
                "order_id": f"O-A-{run}",
                "occurred_at": "2026-11-20T08:00:00+08:00",
                "kind": "placed",
                "merchant_id": merchant["A"],
                "customer_id": customer["A"],
                "lines": [{"sku": "SKU-1", "quantity": 1, "unit_price_minor": 1000}],
            },
            headers=staff["service"],
            timeout=30,
        )
    )
    deposit = made(
        http.post(
            f"{url['callcenter']}/deposit-cancellations",
            json={
                "deposit_id": f"D-A-{run}",
                "merchant_id": merchant["A"],
                "amount_minor": 500,
                "cancel_on": cancel_on(),
            },
            headers=staff["agent"],
            timeout=30,
        )
    )
    settlement = made(
        http.post(
            f"{url['finance']}/settlements",
            json={"merchant_id": merchant["A"], "month": "2026-10"},
            headers=staff["finance"],
            timeout=30,
        )
    )
    made(  # so that the ledger knows merchant A: its balance and statement
        http.post(
            f"{url['finance']}/ledger/transactions",
            json={
                "reference": f"tenant-{run}",
                "description": "owed to merchant A",
                "effective_at": "2026-11-23T08:00:00+08:00",
                "legs": [
                    {"account_code": "cash", "amount_minor": 500},
                    {"account_code": "merchant_payables", "amount_minor": -500, "merchant_id": merchant["A"]},
                ],
            },
            headers=staff["finance"],
            timeout=30,
        )
    )
    owner = {
        "customer": as_(Role.customer, customer["A"]),
        "merchant": as_(Role.merchant, f"user-{merchant['A']}", merchant["A"]),
    }
    other = {
        "customer": as_(Role.customer, customer["B"]),
        "merchant": as_(Role.merchant, f"user-{merchant['B']}", merchant["B"]),
    }
    # (who, service, method, path, body, what A's owner gets, ids that must not show in B's answer)
    reads: list[tuple[str, str, str, str, dict[str, Any] | None, int, list[str]]] = [
        ("customer", "tickets", "GET", f"/complaints/{complaint['id']}", None, 200, []),
        ("customer", "tickets", "GET", f"/complaints/{complaint['id']}/history", None, 200, []),
        ("customer", "tickets", "GET", f"/complaints/{complaint['id']}/messages", None, 200, []),
        ("customer", "tickets", "GET", "/complaints", None, 200, [complaint["id"]]),
        ("customer", "tickets", "GET", f"/cases/{case['id']}/status", None, 200, []),
        ("customer", "tickets", "GET", f"/cases/{case['id']}/evidence", None, 200, []),
        ("customer", "tickets", "GET", "/cases/mine", None, 200, [case["id"]]),
        (
            "customer",
            "returns",
            "POST",
            "/refund-requests",
            {"order_id": f"O-A-{run}", "reason": "changed mind"},
            201,
            [],
        ),
        ("merchant", "callcenter", "GET", f"/deposit-cancellations/{deposit['id']}", None, 200, []),
        ("merchant", "callcenter", "GET", "/deposit-cancellations/awaiting-merchant", None, 200, [deposit["id"]]),
        ("merchant", "finance", "GET", f"/settlements/{settlement['id']}", None, 200, []),
        ("merchant", "finance", "GET", f"/settlements/{settlement['id']}/history", None, 200, []),
        ("merchant", "finance", "GET", f"/settlements/{settlement['id']}/csv", None, 200, []),
        ("merchant", "finance", "GET", "/settlements", None, 200, [settlement["id"]]),
        ("merchant", "finance", "GET", f"/merchants/{merchant['A']}/balance", None, 200, []),
        ("merchant", "finance", "GET", f"/merchants/{merchant['A']}/statement", None, 200, []),
        (
            "merchant",
            "callcenter",
            "POST",
            f"/deposit-cancellations/{deposit['id']}/outcome",
            {"outcome": "cancelled"},
            200,
            [],
        ),
    ]
    leaks: list[str] = []
    refused = 0
    for who, service, method, path, body, owner_status, ids in reads:
        # B first: a write B is refused must still be open to A afterwards.
        answer = http.request(method, url[service] + path, json=body, headers=other[who], timeout=30)
        if ids:  # a list: B's page answers, without A's items
            if answer.status_code != 200 or any(i in answer.text for i in ids):
                leaks.append(f"{who} B {method} {path}: {answer.status_code} shows A's {ids}: {answer.text[:200]}")
        elif answer.status_code not in (403, 404):
            leaks.append(f"{who} B {method} {path}: {answer.status_code} {answer.text[:200]}")
        else:
            refused += 1
        mine = http.request(method, url[service] + path, json=body, headers=owner[who], timeout=30)
        if mine.status_code != owner_status:  # the check above proves nothing if A is refused too
            leaks.append(f"{who} A {method} {path}: {mine.status_code}, expected {owner_status}: {mine.text[:200]}")
    return {"checks": 2 * len(reads), "refused": refused, "leaks": leaks}
