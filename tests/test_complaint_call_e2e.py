"""Cross-service: a complaint call in the call centre becomes a phone complaint in tickets (§7.1 →
§4, issues 18 and 21), through the real broker between the running services.

The telephony system posts the call to callcenter (offered, answered); the agent who took it
records it as a complaint with a named owner (InboundComplaintCall) → tickets opens a phone
complaint routed at once to that person (§4.5), who accepts it: assigned to them.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from aftersales_chassis import Role
from aftersales_chassis.testing import Tokens, eventually
from aftersales_devstack.services import ServiceProcess

from .test_cases_e2e import _ok


async def test_a_complaint_call_is_routed_to_its_owner_in_tickets(
    stack: dict[str, ServiceProcess], jwt_secret: str
) -> None:
    tokens = Tokens(jwt_secret)
    callcenter, tickets = stack["callcenter"].url, stack["tickets"].url
    call_id, order = f"PBX-E2E-{uuid.uuid4().hex[:8]}", f"TB-E2E-CALL-{uuid.uuid4().hex[:8]}"
    now = datetime.now(UTC).replace(microsecond=0)
    events = [
        {"call_id": call_id, "kind": "offered", "at": (now - timedelta(minutes=3)).isoformat(), "phone": "13800138000"},
        {"call_id": call_id, "kind": "answered", "at": (now - timedelta(minutes=2)).isoformat(),
         "phone": "13800138000", "wait_seconds": 60},
    ]  # fmt: skip
    async with httpx.AsyncClient(timeout=10) as http:
        logged = await http.post(f"{callcenter}/calls/events", json={"events": events},
                                 headers=tokens.headers(Role.service))  # fmt: skip
        assert logged.status_code == 202, logged.text
        body = {"owner": "lin", "summary": "茶叶罐压扁了，要退款", "order_id": order, "category": "damaged"}
        call = await _ok(await http.post(f"{callcenter}/calls/{call_id}/complaint", json=body,
                                         headers=tokens.headers(Role.agent, subject="zhou")))  # fmt: skip
        assert call["complaint_owner"] == "lin"

        async def opened() -> list[dict[str, Any]]:
            page = await http.get(f"{tickets}/complaints", params={"order_id": order},
                                  headers=tokens.headers(Role.supervisor))  # fmt: skip
            assert page.status_code == 200, page.text
            items: list[dict[str, Any]] = page.json()["items"]
            return items

        [complaint] = await eventually(opened, message="tickets opening the phone complaint")
        assert (complaint["channel"], complaint["channel_message_id"], complaint["state"]) == (
            "phone",
            call_id,
            "routed",
        )
        assert (complaint["routed_to"], complaint["created_by"]) == ("lin", "callcenter")
        accepted = await _ok(await http.post(f"{tickets}/complaints/{complaint['id']}/accept",
                                             headers=tokens.headers(Role.agent, subject="lin")))  # fmt: skip
        assert (accepted["state"], accepted["owner"]) == ("assigned", "lin")
