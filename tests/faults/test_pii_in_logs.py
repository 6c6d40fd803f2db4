"""Issue 23, scenario 10: no personal data in clear in any log line the run wrote.

Every service process a test starts writes its log to a file of the session
(``ServiceProcess``, ``AFTERSALES_SERVICE_LOG_DIR``, set by the devstack test plugin). This
test runs last (``@pytest.mark.last``), after it has sent its own personal data through the
stack: a name, an address and phone numbers, in order contacts, complaint senders and
messages, callback tasks, call events, the do-not-call list, reviews, and in refused
requests. Then it reads every line of every service log of the session and looks for:

- a mainland mobile number in clear, anywhere in a line (its own or any test's);
- the name, address and phone numbers it sent, anywhere, whole or in part;
- a value in clear under a personal-data key (``phone``, ``address``, ``name``, ...) of a
  JSON line, at any depth.
"""

from __future__ import annotations

import asyncio
import json
import re
import uuid
from pathlib import Path
from typing import Any

import pytest
import requests

from aftersales_chassis import Role
from aftersales_chassis.logging import SENSITIVE_KEYS
from aftersales_devstack.services import ServiceProcess

from .delivered import delivered
from .figures import Figure, record
from .generated_support import Caller

pytest_plugins = ("tests.faults.generated_support",)

MOBILE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")


def _canaries() -> dict[str, str]:
    run = uuid.uuid4().int
    return {
        "name": f"Canary{run % 10**6:06d} 钱多多",
        "address": f"上海市浦东新区金科路{run % 997}号 Canary Lane {run % 10**4}",
        "phone": f"139{run % 10**8:08d}",
        "phone2": f"158{(run // 7) % 10**8:08d}",
    }


def _send(stack: dict[str, ServiceProcess], http: requests.Session, secret: str, pii: dict[str, str]) -> int:
    """The canaries through every service that takes personal data, well-formed and not."""

    def headers(role: Role) -> dict[str, str]:
        return {"Authorization": "Bearer " + Caller(role, subject=f"pii-{role}").token(secret)}

    url = {name: process.url for name, process in stack.items()}
    tag = uuid.uuid4().hex[:8]
    at = "2026-11-23T08:00:00+08:00"
    message = f"call me on {pii['phone']} or +86 {pii['phone2']}, I am {pii['name']} at {pii['address']}"
    requests_sent: list[tuple[str, str, Role, dict[str, Any]]] = [
        (
            "returns",
            "/order-facts",
            Role.service,
            {
                "shop_event_id": f"pii-{tag}",
                "order_id": f"O-PII-{tag}",
                "occurred_at": at,
                "kind": "placed",
                "customer_id": f"C-PII-{tag}",
                "contact": {"name": pii["name"], "phone": pii["phone"], "address": pii["address"]},
                "lines": [{"sku": "SKU-1", "quantity": 1, "unit_price_minor": 1000}],
            },
        ),
        (
            "tickets",
            "/complaints/intake",
            Role.service,
            {
                "channel": "email",
                "channel_message_id": f"pii-{tag}",
                "received_at": at,
                "sender": {"customer_id": f"C-PII-{tag}", "handle": pii["phone"], "name": pii["name"]},
                "order_id": f"O-PII-{tag}",
                "subject": f"from {pii['name']}",
                "body": message,
            },
        ),
        (
            "callcenter",
            "/callbacks",
            Role.supervisor,
            {
                "kind": "outreach",
                "source": f"pii-{tag}",
                "phone": pii["phone"],
                "customer_name": pii["name"],
                "note": message,
            },
        ),
        (
            "callcenter",
            "/calls/events",
            Role.service,
            {"events": [{"call_id": f"pii-{tag}", "kind": "abandoned", "at": at, "phone": pii["phone2"]}]},
        ),
        ("callcenter", "/do-not-call", Role.agent, {"phone": pii["phone"], "reason": message}),
        (
            "reviews",
            "/reviews",
            Role.service,
            {
                "marketplace": "tmall",
                "review_id": f"pii-{tag}",
                "stars": 1,
                "text": message,
                "reviewed_at": at,
                "updated_at": at,
            },
        ),
        # Refused ones: personal data in a field that breaks its rule, and in a wrong type.
        ("callcenter", "/do-not-call", Role.agent, {"phone": f"{pii['name']} {pii['address']}", "reason": 7}),
        ("returns", "/order-facts", Role.service, {"contact": {"phone": pii["address"]}, "order_id": pii["phone"]}),
        ("tickets", "/complaints", Role.agent, {"channel": pii["address"], "sender": pii["name"], "body": message}),
    ]
    for service, path, role, body in requests_sent:
        response = http.post(f"{url[service]}{path}", json=body, headers=headers(role), timeout=30)
        assert response.status_code < 500, f"{service} {path}: {response.status_code} {response.text[:300]}"
    return len(requests_sent)


def _personal_values(value: Any, key: str | None = None) -> list[str]:
    """Values in clear under personal-data keys, at any depth of a JSON line."""
    found: list[str] = []
    if isinstance(value, dict):
        for k, v in value.items():
            found += _personal_values(v, str(k))
    elif isinstance(value, list):
        for v in value:
            found += _personal_values(v, key)
    elif isinstance(value, str) and key is not None and key.lower() in SENSITIVE_KEYS and _clear(value):
        found.append(f"{key}={value!r}")
    return found


def _clear(value: str) -> bool:
    """Not masked: mask_value stars all but the ends (all of a value of two characters)."""
    return "*" not in value and len(value) > 2


def _fragments(pii: dict[str, str]) -> list[str]:
    """What must not appear: each value whole, and its distinctive parts (words with a letter
    and five characters or more; a short run of digits also occurs in ids and timestamps)."""
    parts = set(pii.values())
    parts.update(
        piece
        for value in pii.values()
        for piece in value.split()
        if len(piece) >= 5 and any(not c.isdigit() for c in piece)
    )
    return sorted(parts)


@pytest.mark.last
def test_no_log_line_of_the_run_holds_personal_data_in_clear(
    generated_stack: dict[str, ServiceProcess],
    http: requests.Session,
    jwt_secret: str,
    service_log_dir: Path,
    kafka_bootstrap: str,
) -> None:
    pii = _canaries()
    sent = _send(generated_stack, http, jwt_secret, pii)
    # Consumers in other services log what they apply: their lines must be written before the scan.
    asyncio.run(delivered(generated_stack.values(), kafka_bootstrap))
    fragments = _fragments(pii)
    files = sorted(service_log_dir.glob("*.log"))
    lines = 0
    leaks: list[str] = []
    for path in files:
        for number, line in enumerate(path.read_text(encoding="utf-8", errors="replace").splitlines(), 1):
            lines += 1
            found = [m.group(0) for m in MOBILE.finditer(line)]
            found += [fragment for fragment in fragments if fragment in line]
            try:
                parsed = json.loads(line)
            except ValueError:
                parsed = None
            if isinstance(parsed, dict):
                found += _personal_values(parsed)
            if found:
                leaks.append(f"{path.name}:{number}: {sorted(set(found))} in {line[:300]}")
    record(
        Figure(
            "10 personal data in logs",
            f"{sent} requests carrying a name, an address and phone numbers, then every line of the run's "
            f"{len(files)} service logs scanned",
            sent=sent,
            errored=len(leaks),
            extra={"log_files": len(files), "lines_scanned": lines, "lines_with_personal_data": len(leaks)},
        )
    )
    assert files, f"no service wrote a log into {service_log_dir}"
    assert not leaks, "\n".join(leaks[:30])
