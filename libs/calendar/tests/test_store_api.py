"""Overrides in the database: the store, the provider, and the HTTP API with its roles."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from aftersales_calendar import Override, WorkingHours, default_calendar
from aftersales_calendar.store import CalendarProvider, delete_override, load_overrides, put_override
from aftersales_chassis import Role

from .kit import CalendarHarness

SH = ZoneInfo("Asia/Shanghai")
CLOSED = Override(date(2025, 3, 4), "closed", note="stocktaking")


async def test_store_round_trip_and_upsert(service: CalendarHarness) -> None:
    async with service.sessionmaker.begin() as session:
        await put_override(session, CLOSED, "sup-1")
        await put_override(session, Override(date(2025, 3, 10), "hours", time(13), time(20)), "sup-1")
        await put_override(session, Override(date(2025, 3, 4), "open", note="changed our mind"), "sup-2")
    async with service.sessionmaker() as session:
        assert await load_overrides(session) == [
            Override(date(2025, 3, 4), "open", note="changed our mind"),
            Override(date(2025, 3, 10), "hours", time(13), time(20)),
        ]
    async with service.sessionmaker.begin() as session:
        assert await delete_override(session, date(2025, 3, 4))
        assert not await delete_override(session, date(2025, 3, 4))


async def test_provider_applies_changes_without_restart(service: CalendarHarness) -> None:
    ticks = [100.0]
    provider = CalendarProvider(default_calendar(), max_age=30, monotonic=lambda: ticks[0])
    async with service.sessionmaker() as session:
        before = await provider.current(session)
        assert before.is_working_day(CLOSED.day)
        assert await provider.current(session) is before  # nothing changed: same calendar, caches kept
    async with service.sessionmaker.begin() as session:
        await put_override(session, CLOSED, "sup-1")  # e.g. from another replica
    async with service.sessionmaker() as session:
        assert (await provider.current(session)).is_working_day(CLOSED.day)  # within max_age
        ticks[0] += 30
        assert not (await provider.current(session)).is_working_day(CLOSED.day)
    async with service.sessionmaker.begin() as session:
        await provider.delete(session, CLOSED.day)  # a local change applies at once
        after = await provider.current(session)
    assert after.is_working_day(CLOSED.day)
    assert after.add(datetime(2025, 3, 3, 17, tzinfo=SH), WorkingHours(timedelta(hours=9))) == datetime(
        2025, 3, 4, 17, tzinfo=SH
    )


async def test_supervisor_sets_an_override_and_it_applies_at_once(service: CalendarHarness) -> None:
    client, tokens = service.client, service.tokens
    at = {"at": "2025-03-04T10:00:00+08:00"}
    staff = tokens.headers(Role.agent)
    assert (await client.get("/calendar/working-time", params=at, headers=staff)).json()["working_time"] is True

    response = await client.put(
        "/calendar/overrides/2025-03-04",
        json={"kind": "closed", "note": "stocktaking"},
        headers=tokens.headers(Role.supervisor, subject="sup-7"),
    )
    assert response.status_code == 200, response.text
    assert response.json()["created_by"] == "sup-7"

    listed = (await client.get("/calendar/overrides", headers=tokens.headers(Role.warehouse))).json()
    assert [(o["day"], o["kind"], o["note"]) for o in listed] == [("2025-03-04", "closed", "stocktaking")]
    probe = (await client.get("/calendar/working-time", params=at, headers=staff)).json()
    assert probe["working_time"] is False
    assert probe["working_day"] is False
    assert probe["next_opening"] == "2025-03-05T01:00:00Z"
    assert probe["provisional"] is False

    deleted = await client.delete("/calendar/overrides/2025-03-04", headers=tokens.headers(Role.supervisor))
    assert deleted.status_code == 204
    assert (await client.get("/calendar/working-time", params=at, headers=staff)).json()["working_time"] is True
    missing = await client.delete("/calendar/overrides/2025-03-04", headers=tokens.headers(Role.supervisor))
    assert missing.status_code == 404


async def test_only_a_supervisor_may_change_overrides(service: CalendarHarness) -> None:
    client, tokens = service.client, service.tokens
    body = {"kind": "open"}
    for role in (Role.agent, Role.warehouse, Role.finance, Role.customer):
        put = await client.put("/calendar/overrides/2025-03-08", json=body, headers=tokens.headers(role))
        assert put.status_code == 403, role
        delete = await client.delete("/calendar/overrides/2025-03-08", headers=tokens.headers(role))
        assert delete.status_code == 403, role
    assert (await client.get("/calendar/overrides", headers=tokens.headers(Role.customer))).status_code == 403
    assert (await client.get("/calendar/overrides")).status_code == 401
    ok = await client.put("/calendar/overrides/2025-03-08", json=body, headers=tokens.headers(Role.supervisor))
    assert ok.status_code == 200


async def test_payload_validation(service: CalendarHarness) -> None:
    client, headers = service.client, service.tokens.headers(Role.supervisor)
    bad_hours = await client.put(
        "/calendar/overrides/2025-03-10", json={"kind": "hours", "opens": "18:00", "closes": "09:00"}, headers=headers
    )
    assert bad_hours.status_code == 422
    stray = await client.put(
        "/calendar/overrides/2025-03-10", json={"kind": "closed", "opens": "09:00"}, headers=headers
    )
    assert stray.status_code == 422
    hours = await client.put(
        "/calendar/overrides/2025-03-10", json={"kind": "hours", "opens": "13:00", "closes": "20:00"}, headers=headers
    )
    assert hours.status_code == 200
    probe = await client.get(
        "/calendar/working-time", params={"at": "2025-03-10T19:00:00+08:00"}, headers=service.tokens.headers(Role.agent)
    )
    assert probe.json()["working_time"] is True
    assert probe.json()["closes"] == "2025-03-10T20:00:00+08:00"


async def test_timestamp_without_offset_is_rejected(service: CalendarHarness) -> None:
    response = await service.client.get(
        "/calendar/working-time", params={"at": "2025-03-04T10:00:00"}, headers=service.tokens.headers(Role.agent)
    )
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == ["query.at"]


async def test_working_time_defaults_to_now_and_flags_provisional_years(service: CalendarHarness) -> None:
    headers = service.tokens.headers(Role.finance)
    now = (await service.client.get("/calendar/working-time", headers=headers)).json()
    assert now["at"] == "2025-03-03T02:00:00Z"
    assert now["working_time"] is True
    later = await service.client.get(
        "/calendar/working-time", params={"at": "2027-10-01T10:00:00+08:00"}, headers=headers
    )
    assert later.json()["provisional"] is True
    assert later.json()["working_time"] is False


@pytest.mark.parametrize("at", ["0001-01-01T00:00:00+14:00", "1999-12-31T23:59:59Z", "9999-12-31T23:59:59-12:00"])
async def test_working_time_takes_an_instant_in_the_supported_range(service: CalendarHarness, at: str) -> None:
    """Year 1 and year 9999 once overflowed the calendar's arithmetic into 500s."""
    response = await service.client.get(
        "/calendar/working-time", params={"at": at}, headers=service.tokens.headers(Role.agent)
    )
    assert response.status_code == 422, response.text
    assert [e["field"] for e in response.json()["errors"]] == ["query.at"]


@pytest.mark.parametrize(("day", "status"), [("1999-12-31", 422), ("2099-12-31", 200), ("9999-12-31", 422)])
async def test_an_override_is_for_a_day_in_the_supported_range(service: CalendarHarness, day: str, status: int) -> None:
    headers = service.tokens.headers(Role.supervisor)
    response = await service.client.put(f"/calendar/overrides/{day}", json={"kind": "closed"}, headers=headers)
    assert response.status_code == status, response.text
    if status == 422:
        assert [e["field"] for e in response.json()["errors"]] == ["path.day"]
    else:
        assert (await service.client.delete(f"/calendar/overrides/{day}", headers=headers)).status_code == 204
