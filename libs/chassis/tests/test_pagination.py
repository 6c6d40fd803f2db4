"""Keyset pagination: opaque cursors that round-trip, and a clear 422 for a forged one, whether
it is not a cursor at all or its values do not fit the list's sort key."""

from __future__ import annotations

import base64
import uuid
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

import pytest
from sqlalchemy import Column, DateTime, MetaData, Table, Uuid, select
from sqlalchemy.ext.asyncio import create_async_engine

from aftersales_chassis import PageParams, Role, encode_cursor, page_of
from aftersales_chassis.keyset import keyset
from aftersales_chassis.pagination import InvalidCursor, decode_cursor, page_from_query
from aftersales_chassis.settings import asyncpg_url
from aftersales_chassis.testing import MALFORMED_CURSORS, assert_invalid_cursor, bad_cursors

from .kit import Harness


@pytest.mark.parametrize("values", [[1], ["2026-11-23T07:00:00+00:00", 42], ["a/b+c=", None, 3.5], []])
def test_cursor_round_trip(values: list[object]) -> None:
    cursor = encode_cursor(values)
    assert cursor.isascii()
    assert "/" not in cursor
    assert "+" not in cursor
    assert decode_cursor(cursor) == values


@pytest.mark.parametrize(
    "cursor",
    [
        "!!!",
        "abc",  # bad padding
        base64.urlsafe_b64encode(b"not json").decode(),
        base64.urlsafe_b64encode(b'{"id": 1}').decode(),  # JSON, but not a cursor this API issues
        base64.urlsafe_b64encode(b"\xff\xfe\x00").decode(),
    ],
)
def test_invalid_cursor_is_refused(cursor: str) -> None:
    with pytest.raises(InvalidCursor) as caught:
        decode_cursor(cursor)
    assert caught.value.status == 422
    assert caught.value.extensions == {"parameter": "cursor"}


def _after(cursor: str, *key: type[Any]) -> tuple[Any, ...] | None:
    """What a list with sort key ``key`` reads from ``?cursor=``: the dependency, then ``after``."""
    return page_from_query(50, cursor).after(*key)


KEYS: list[tuple[type[Any], ...]] = [(datetime, uuid.UUID), (date,), (str,), (date, str), (int,)]


@pytest.mark.parametrize("key", KEYS, ids=lambda key: "-".join(kind.__name__ for kind in key))
def test_every_bad_cursor_is_refused_for_every_kind_of_sort_key(key: tuple[type[Any], ...]) -> None:
    for name, cursor in bad_cursors(*key).items():
        with pytest.raises(InvalidCursor) as caught:
            _after(cursor, *key)
        assert caught.value.status == 422, name
        assert caught.value.extensions == {"parameter": "cursor"}, name


@pytest.mark.parametrize("cursor", list(MALFORMED_CURSORS.values()), ids=list(MALFORMED_CURSORS))
def test_malformed_cursors_are_refused_when_decoded(cursor: str) -> None:
    with pytest.raises(InvalidCursor):
        decode_cursor(cursor)


def test_the_refusal_says_what_did_not_fit() -> None:
    with pytest.raises(InvalidCursor) as caught:
        _after(encode_cursor(["2026-11-23T07:00:00+00:00", "not-a-uuid"]), datetime, uuid.UUID)
    assert "value 2 is not a UUID" in caught.value.detail
    with pytest.raises(InvalidCursor) as caught:
        _after(encode_cursor(["2026-11-23"]), datetime, uuid.UUID)
    assert "1 values, this list's cursors have 2" in caught.value.detail


def test_an_issued_cursor_reads_back_typed() -> None:
    at = datetime(2026, 11, 23, 15, 0, tzinfo=timezone(timedelta(hours=8)))
    row_id = uuid.uuid4()
    assert _after(encode_cursor([at.isoformat(), str(row_id)]), datetime, uuid.UUID) == (at, row_id)
    assert _after(encode_cursor([at, row_id]), datetime, uuid.UUID) == (at, row_id)  # str() of each, too
    [read] = _after(encode_cursor([at.isoformat()]), datetime) or ()
    assert read.tzinfo is UTC  # normalised; the same instant
    assert _after(encode_cursor(["2026-11-01", "M-001"]), date, str) == (date(2026, 11, 1), "M-001")
    assert _after(encode_cursor(["1001"]), str) == ("1001",)
    assert _after(encode_cursor([2**63 - 1]), int) == (2**63 - 1,)


def test_the_first_page_has_no_key() -> None:
    assert PageParams(limit=10, cursor=None).after(datetime, uuid.UUID) is None
    assert page_from_query(10, "").after(int) is None


def test_an_unsupported_key_type_is_a_programming_error() -> None:
    with pytest.raises(TypeError, match="float"):
        PageParams(limit=10, cursor=[1.5]).after(float)


async def test_pages_through_a_listing(harness: Harness) -> None:
    prefix = f"p-{uuid.uuid4().hex[:8]}-"
    headers = harness.auth(Role.agent)
    created = []
    for i in range(5):
        response = await harness.client.post("/widgets", json={"name": f"{prefix}{i}", "quantity": 1}, headers=headers)
        created.append(response.json()["id"])

    seen: list[int] = []
    cursor: str | None = None
    pages = 0
    while True:
        params: dict[str, str | int] = {"name_prefix": prefix, "limit": 2}
        if cursor:
            params["cursor"] = cursor
        page = (await harness.client.get("/widgets", params=params, headers=headers)).json()
        pages += 1
        seen.extend(item["id"] for item in page["items"])
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == created
    assert pages == 3


async def test_forged_cursor_is_a_422_problem(harness: Harness) -> None:
    response = await harness.client.get("/widgets", params={"cursor": "%%%not-ours"}, headers=harness.auth(Role.agent))
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert body["type"].endswith("/invalid-cursor")
    assert body["parameter"] == "cursor"


@pytest.mark.parametrize(("name", "cursor"), list(bad_cursors(int).items()))
async def test_a_listing_refuses_every_bad_cursor_with_a_422(harness: Harness, name: str, cursor: str) -> None:
    response = await harness.client.get("/widgets", params={"cursor": cursor}, headers=harness.auth(Role.agent))
    assert_invalid_cursor(response)


def _rows(n: int) -> list[tuple[datetime, uuid.UUID]]:
    start = datetime(2026, 11, 23, 7, tzinfo=UTC)
    return [(start + timedelta(minutes=i), uuid.UUID(int=i)) for i in range(n)]


@pytest.mark.parametrize("fetched", [0, 1, 3])
def test_page_of_a_last_page_has_no_cursor(fetched: int) -> None:
    page = page_of(_rows(fetched), PageParams(limit=3, cursor=None), key=lambda r: r, item=lambda r: r[1].int)
    assert page.items == list(range(fetched))
    assert page.next_cursor is None


def test_page_of_cuts_the_extra_row_and_the_cursor_resumes_after_the_last_shown() -> None:
    rows = _rows(4)  # fetched with limit(page.fetch_size): one more than the page
    params = PageParams(limit=3, cursor=None)
    assert params.fetch_size == 4
    converted: list[uuid.UUID] = []

    def item(row: tuple[datetime, uuid.UUID]) -> str:
        converted.append(row[1])
        return str(row[1])

    page = page_of(rows, params, key=lambda r: r, item=item)
    assert page.items == [str(r[1]) for r in rows[:3]]
    assert converted == [r[1] for r in rows[:3]]  # the extra row is never converted
    assert page.next_cursor is not None
    # The same cursor a list wrote by hand before (ISO 8601 and the UUID's text), read back typed.
    assert page.next_cursor == encode_cursor([rows[2][0].isoformat(), str(rows[2][1])])
    assert page_from_query(3, page.next_cursor).after(datetime, uuid.UUID) == rows[2]


def test_page_of_without_item_lists_the_rows_and_keys_dates_strings_and_ints() -> None:
    rows = [(date(2026, 11, d), f"m-{d}", d) for d in (1, 2, 3)]
    page = page_of(rows, PageParams(limit=2, cursor=None), key=lambda r: r)
    assert page.items == rows[:2]
    assert page.next_cursor is not None
    assert page_from_query(2, page.next_cursor).after(date, str, int) == rows[1]


@pytest.mark.parametrize("descending", [False, True], ids=["oldest-first", "newest-first"])
async def test_keyset_pages_through_ties_in_either_order(chassis_db_url: str, descending: bool) -> None:
    """Every row once, in the list's order, across pages that cut through rows sharing a time."""
    rows = Table(f"keyset_{uuid.uuid4().hex[:8]}", MetaData(), Column("at", DateTime(timezone=True)),
                 Column("id", Uuid, primary_key=True))  # fmt: skip
    start = datetime(2027, 3, 5, 2, 0, tzinfo=UTC)
    data = [{"at": start + timedelta(minutes=i // 3), "id": uuid.uuid4()} for i in range(8)]  # times in threes
    engine = create_async_engine(asyncpg_url(chassis_db_url))
    try:
        async with engine.begin() as conn:
            await conn.run_sync(rows.metadata.create_all)
            await conn.execute(rows.insert(), data)
            seen: list[tuple[datetime, uuid.UUID]] = []
            cursor: str | None = None
            while True:
                page = page_from_query(3, cursor)
                query = keyset(select(rows.c.at, rows.c.id), page, rows.c.at, rows.c.id, descending=descending)
                listed = page_of((await conn.execute(query)).all(), page, key=lambda r: (r.at, r.id))
                seen += [(row.at, row.id) for row in listed.items]
                if (cursor := listed.next_cursor) is None:
                    break
            await conn.run_sync(rows.metadata.drop_all)
    finally:
        await engine.dispose()
    assert seen == sorted(((r["at"], r["id"]) for r in data), reverse=descending)
