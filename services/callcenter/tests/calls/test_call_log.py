"""The call log from telephony events: idempotent by call, out of order, roles; the call-loss
rate per business day with its formula, threshold and once-a-day breach; complaint calls."""

from __future__ import annotations

from datetime import date

import httpx

from aftersales_calendar import default_calendar
from aftersales_chassis import ManualClock, Role
from aftersales_chassis.db import Database
from aftersales_chassis.testing import Tokens
from callcenter_service.calls.service import CallLogService
from callcenter_service.settings import CallcenterSettings

from ..callbacks.kit import phone
from ..kit import outbox
from .kit import call_id, event, send


async def test_events_in_any_order_and_resent_make_one_call(client: httpx.AsyncClient, tokens: Tokens) -> None:
    call, number = call_id(), phone()
    answered = event(call, "answered", "2026-11-24T10:00:20+08:00", number)
    offered = event(call, "offered", "2026-11-24T10:00:00+08:00", number)
    assert await send(client, tokens, answered) == {"accepted": 1, "duplicates": 0}
    assert await send(client, tokens, offered, answered) == {"accepted": 1, "duplicates": 1}
    got = (await client.get(f"/calls/{call}", headers=tokens.headers(Role.agent))).json()
    assert (got["status"], got["missed"], got["business_day"]) == ("answered", False, "2026-11-24")
    assert got["started_at"].startswith("2026-11-24T02:00:00")
    # An abandon reported after the answer does not undo it.
    await send(client, tokens, event(call, "abandoned", "2026-11-24T10:00:10+08:00", number, wait=10))
    assert (await client.get(f"/calls/{call}", headers=tokens.headers(Role.agent))).json()["status"] == "answered"


async def test_only_the_telephony_service_account_posts_events(client: httpx.AsyncClient, tokens: Tokens) -> None:
    body = {"events": [event(call_id(), "offered", "2026-11-24T10:00:00+08:00", phone())]}
    assert (await client.post("/calls/events", json=body)).status_code == 401
    for role in (Role.agent, Role.supervisor, Role.customer):
        assert (await client.post("/calls/events", json=body, headers=tokens.headers(role))).status_code == 403
    naive = {"events": [event(call_id(), "offered", "2026-11-24T10:00:00", phone())]}
    refused = await client.post("/calls/events", json=naive, headers=tokens.headers(Role.service))
    assert refused.status_code == 422
    assert "body.events[0].at" in {e["field"] for e in refused.json()["errors"]}


async def test_the_call_loss_rate_of_a_day_with_its_formula(
    client: httpx.AsyncClient, tokens: Tokens, database: Database, clock: ManualClock
) -> None:
    day = "2026-11-03"  # a day no other test calls on
    calls = [call_id() for _ in range(4)]
    await send(
        client, tokens,
        event(calls[0], "answered", f"{day}T10:00:00+08:00", phone()),
        event(calls[1], "answered", f"{day}T11:00:00+08:00", phone()),
        event(calls[2], "abandoned", f"{day}T12:00:00+08:00", phone(), wait=3),
        event(calls[3], "abandoned", f"{day}T13:00:00+08:00", phone(), wait=30),
        event(call_id(), "offered", f"{day}T14:00:00+08:00", phone()),  # no outcome yet: not counted
    )  # fmt: skip
    figure = (await client.get(f"/calls/loss-rate/{day}", headers=tokens.headers(Role.supervisor))).json()
    assert (figure["offered"], figure["answered"], figure["not_answered"]) == (4, 2, 2)
    assert (figure["rate_percent"], figure["limit_percent"], figure["breached"]) == (50.0, 25.0, True)
    assert figure["short_abandon_seconds"] == 0
    assert "not answered ÷ inbound calls offered" in figure["formula"]
    assert "shorter than 0 s" in figure["formula"]

    # With a 5 s threshold the 3 s abandon is left out of the rate (but stays a missed caller).
    async with database.sessionmaker() as session:
        settings = CallcenterSettings.model_construct(short_abandon_seconds=5)
        lenient = await CallLogService(session, clock, default_calendar(), settings).loss_rate(date.fromisoformat(day))
    assert (lenient.offered, lenient.not_answered, lenient.short_abandons_left_out) == (3, 1, 1)
    assert lenient.rate_percent == 33.33
    assert "shorter than 5 s" in lenient.formula


async def test_a_breach_is_published_once_per_day(
    client: httpx.AsyncClient, tokens: Tokens, database: Database, clock: ManualClock
) -> None:
    day = date(2026, 11, 4)
    await send(client, tokens, event(call_id(), "abandoned", "2026-11-04T10:00:00+08:00", phone(), wait=40))
    async with database.sessionmaker() as session, session.begin():
        service = CallLogService(session, clock, default_calendar(), CallcenterSettings.model_construct())
        assert await service.check_breach(day) is True
        assert await service.check_breach(day) is False
    events = await outbox(database, "call-loss-2026-11-04")
    assert [(t, d["rate_percent"], d["limit_percent"]) for t, d in events] == [("CallLossRateBreached", 100.0, 25.0)]

    under = date(2026, 11, 5)
    await send(client, tokens, event(call_id(), "answered", "2026-11-05T10:00:00+08:00", phone()))
    async with database.sessionmaker() as session, session.begin():
        service = CallLogService(session, clock, default_calendar(), CallcenterSettings.model_construct())
        assert await service.check_breach(under) is False


async def test_a_complaint_call_goes_to_a_named_owner_once(
    client: httpx.AsyncClient, tokens: Tokens, database: Database
) -> None:
    call, number = call_id(), phone()
    await send(client, tokens, event(call, "answered", "2026-11-24T10:00:00+08:00", number))
    body = {"owner": "lin", "summary": "Parcel crushed", "order_id": "TB-1"}
    assert (
        await client.post(f"/calls/{call}/complaint", json=body, headers=tokens.headers(Role.customer))
    ).status_code == 403
    made = await client.post(f"/calls/{call}/complaint", json=body, headers=tokens.headers(Role.agent, subject="ann"))
    assert (made.status_code, made.json()["complaint_owner"]) == (200, "lin")
    again = await client.post(f"/calls/{call}/complaint", json=body, headers=tokens.headers(Role.agent))
    assert (again.status_code, again.json()["rule"]) == (409, "§7.1.one-complaint-per-call")
    [(kind, data)] = await outbox(database, call)
    assert kind == "InboundComplaintCall"
    assert (data["owner"], data["phone"], data["order_id"], data["recorded_by"]) == ("lin", number, "TB-1", "ann")
    missing = await client.post("/calls/PBX-none/complaint", json=body, headers=tokens.headers(Role.agent))
    assert missing.status_code == 404
