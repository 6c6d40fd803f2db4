"""The scanner API: idempotent by scan id, out-of-order scans, per-item rejection, roles."""

from __future__ import annotations

from datetime import timedelta, timezone

import httpx
from fastapi import FastAPI
from sqlalchemy import text

from aftersales_chassis import ManualClock, Role
from aftersales_chassis.testing import Tokens

from .kit import ingest, post_scans, scan, tracking_number


async def test_a_resent_batch_is_not_counted_twice(
    client: httpx.AsyncClient, tokens: Tokens, clock: ManualClock
) -> None:
    tn = tracking_number()
    batch = [scan(clock, tn, "arrived", ago=timedelta(minutes=5)), scan(clock, tn, "opened")]
    first = await ingest(client, tokens, batch)
    assert [a["index"] for a in first["accepted"]] == [0, 1]
    again = await ingest(client, tokens, batch)  # the scanner lost the reply and resends
    assert again["accepted"] == []
    assert [d["scan_id"] for d in again["duplicates"]] == [s["scan_id"] for s in batch]
    parcel_id = first["accepted"][0]["parcel_id"]
    scans = await client.get(f"/parcels/{parcel_id}/scans", headers=tokens.headers(Role.agent))
    assert [s["kind"] for s in scans.json()] == ["arrived", "opened"]


async def test_a_scan_id_twice_in_one_batch_counts_once(
    client: httpx.AsyncClient, tokens: Tokens, clock: ManualClock
) -> None:
    one = scan(clock, tracking_number())
    body = await ingest(client, tokens, [one, dict(one)])
    assert [a["index"] for a in body["accepted"]] == [0]
    assert body["duplicates"] == [{"index": 1, "scan_id": one["scan_id"]}]


async def test_out_of_order_scans_follow_scanned_at(
    client: httpx.AsyncClient, tokens: Tokens, clock: ManualClock
) -> None:
    tn = tracking_number()
    late = await ingest(client, tokens, [scan(clock, tn, "opened", ago=timedelta(minutes=10))])
    parcel_id = late["accepted"][0]["parcel_id"]
    early = await ingest(client, tokens, [scan(clock, tn, "arrived", ago=timedelta(minutes=30))])
    assert early["accepted"][0]["parcel_id"] == parcel_id
    parcel = (await client.get(f"/parcels/{parcel_id}", headers=tokens.headers(Role.agent))).json()
    assert parcel["stage"] == "opened"  # the earlier scan arriving late does not move it back
    assert parcel["first_scan_at"] == (clock.now() - timedelta(minutes=30)).isoformat().replace("+00:00", "Z")
    scans = (await client.get(f"/parcels/{parcel_id}/scans", headers=tokens.headers(Role.agent))).json()
    assert [s["kind"] for s in scans] == ["arrived", "opened"]


async def test_bad_items_are_rejected_with_reasons_and_the_rest_kept(
    client: httpx.AsyncClient, tokens: Tokens, clock: ManualClock
) -> None:
    good = scan(clock, tracking_number())
    naive = {**scan(clock, tracking_number()), "scanned_at": "2026-11-23T09:00:00"}
    no_kind = {k: v for k, v in scan(clock, tracking_number()).items() if k != "kind"}
    inspected_without_verdict = scan(clock, tracking_number(), "inspected")
    future = scan(clock, tracking_number(), ago=-timedelta(hours=3))
    body = await ingest(client, tokens, [naive, good, "not an object", no_kind, inspected_without_verdict, future])
    assert [a["index"] for a in body["accepted"]] == [1]
    rejected = {r["index"]: r for r in body["rejected"]}
    assert sorted(rejected) == [0, 2, 3, 4, 5]
    assert rejected[0]["scan_id"] == naive["scan_id"]
    assert rejected[0]["errors"][0]["field"] == "body[0].scanned_at"
    assert rejected[2]["scan_id"] is None
    assert rejected[3]["errors"][0]["field"] == "body[3].kind"
    assert "intact" in rejected[4]["errors"][0]["message"]
    assert rejected[5]["errors"][0]["field"] == "body[5].scanned_at"


async def test_a_scan_from_a_reset_scanner_clock_is_rejected_and_the_rest_kept(
    client: httpx.AsyncClient, tokens: Tokens, clock: ManualClock
) -> None:
    """Year 1 in the business zone falls before year 1 in UTC: it once failed the whole batch
    in the driver (a 409). A clock reset to 1970 is as wrong."""
    good = scan(clock, tracking_number())
    epoch = {**scan(clock, tracking_number()), "scanned_at": "1970-01-01T00:00:00Z"}
    year_one = {**scan(clock, tracking_number()), "scanned_at": "0001-01-01T00:00:00+14:00"}
    body = await ingest(client, tokens, [epoch, good, year_one])
    assert [a["index"] for a in body["accepted"]] == [1]
    rejected = {r["index"]: r["errors"] for r in body["rejected"]}
    assert sorted(rejected) == [0, 2]
    for index, errors in rejected.items():
        assert errors == [
            {"field": f"body[{index}].scanned_at", "message": "must be an instant from 2000-01-01 to 2099-12-31 (UTC)"}
        ]


async def test_a_rule_of_the_scan_is_reported_in_its_own_words(
    client: httpx.AsyncClient, tokens: Tokens, clock: ManualClock
) -> None:
    too_many = {**scan(clock, tracking_number(), "inspected"), "intact": True, "lines": {"SKU-1": 10**20}}
    body = await ingest(client, tokens, [too_many])
    assert body["rejected"][0]["errors"] == [
        {"field": "body[0]", "message": "line quantities must be between 0 and 10000"}
    ]  # not "Value error, line quantities ..."


async def test_text_the_database_cannot_store_is_rejected_per_item_and_the_rest_kept(
    client: httpx.AsyncClient, tokens: Tokens, clock: ManualClock
) -> None:
    good = scan(clock, tracking_number())
    nul_note = {**scan(clock, tracking_number()), "note": "box \u0000 torn"}
    nul_sku = {**scan(clock, tracking_number(), "inspected"), "intact": True, "lines": {"SKU-\u0000": 1}}
    body = await ingest(client, tokens, [nul_note, good, nul_sku])  # was: the whole batch a 409
    assert [a["index"] for a in body["accepted"]] == [1]
    rejected = {r["index"]: r["errors"] for r in body["rejected"]}
    assert [e["field"] for e in rejected[0]] == ["body[0].note"]
    assert [e["field"] for e in rejected[2]] == ["body[2].lines"]
    assert all("NUL" in e["message"] for errors in rejected.values() for e in errors)


async def test_every_field_of_a_scan_is_stored_as_sent(
    app: FastAPI, client: httpx.AsyncClient, tokens: Tokens, clock: ManualClock
) -> None:
    """The batch reaches the database as one JSON document: each field's type survives it."""
    at = (clock.now() - timedelta(minutes=3)).astimezone(timezone(timedelta(hours=8))).replace(microsecond=123456)
    full = {
        **scan(clock, tracking_number(), "inspected"),
        "scanned_at": at.isoformat(),
        "courier": "SF",
        "phone": "138 0013 8000",
        "sender_name": '王 小明 "Wang"',
        "address": "上海市浦东新区 18号, Room 5\nback door",
        "return_number": "not-a-uuid",
        "intact": False,
        "lines": {"SKU-TEA-250G": 2, "SKU-CUP": 0},
        "note": "corner crushed; tape\\resealed",
    }
    sparse = scan(clock, tracking_number(), "arrived")  # every optional field absent
    body = await ingest(client, tokens, [full, sparse])
    assert [a["index"] for a in body["accepted"]] == [0, 1]
    async with app.state.db.sessionmaker() as session:
        rows = {
            row.scan_id: row
            for row in await session.execute(
                text("SELECT * FROM parcel_scans WHERE scan_id = ANY(:ids)"),
                {"ids": [full["scan_id"], sparse["scan_id"]]},
            )
        }
    stored = rows[full["scan_id"]]
    assert stored.scanned_at == at  # to the microsecond, whatever the offset it was sent with
    assert stored.received_at == clock.now()
    for name in ("kind", "tracking_number", "courier", "phone", "sender_name", "address", "return_number", "note"):
        assert getattr(stored, name) == full[name], name
    assert stored.intact is False
    assert stored.lines == {"SKU-TEA-250G": 2, "SKU-CUP": 0}
    empty = rows[sparse["scan_id"]]
    assert [getattr(empty, n) for n in ("courier", "phone", "sender_name", "address", "return_number", "intact")] == [
        None
    ] * 6
    assert empty.lines is None
    assert empty.note is None


async def test_a_batch_that_is_not_a_list_or_too_big_is_a_422(
    client: httpx.AsyncClient, tokens: Tokens, clock: ManualClock
) -> None:
    assert (await post_scans(client, tokens, {"scan_id": "x"})).status_code == 422  # type: ignore[arg-type]
    assert (await post_scans(client, tokens, [])).status_code == 422
    too_many = [scan(clock, tracking_number()) for _ in range(501)]
    assert (await post_scans(client, tokens, too_many)).status_code == 422


async def test_scanners_post_as_warehouse_or_service_only(
    client: httpx.AsyncClient, tokens: Tokens, clock: ManualClock
) -> None:
    for role in (Role.warehouse, Role.service):
        assert (await post_scans(client, tokens, [scan(clock, tracking_number())], role)).status_code == 200
    for role in (Role.agent, Role.customer, Role.supervisor):
        assert (await post_scans(client, tokens, [scan(clock, tracking_number())], role)).status_code == 403
    assert (await client.post("/parcels/scans:batch", json=[scan(clock, tracking_number())])).status_code == 401


async def test_the_batch_endpoint_documents_its_per_item_response(client: httpx.AsyncClient) -> None:
    spec = (await client.get("/openapi.json")).json()
    operation = spec["paths"]["/parcels/scans:batch"]["post"]
    assert operation["requestBody"]["content"]["application/json"]["schema"]["maxItems"] == 500
    example = operation["responses"]["200"]["content"]["application/json"]["example"]
    assert set(example) == {"accepted", "duplicates", "rejected", "parcels"}
