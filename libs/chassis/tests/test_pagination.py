"""Keyset pagination: opaque cursors that round-trip, and a clear 422 for a forged one."""

from __future__ import annotations

import base64
import uuid

import pytest
from chassis_testkit import Harness

from aftersales_chassis import Role, encode_cursor
from aftersales_chassis.pagination import InvalidCursor, decode_cursor


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
