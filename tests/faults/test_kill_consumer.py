"""Issue 23, scenario 1: kill -9 a consumer mid-batch.

- finance while ``RefundApproved`` events flow (10,000 under ``make faults``): the events go on
  ``returns.events`` as returns' relay puts them there, finance (a real process, its own
  database and consumer group) books them, and is killed with SIGKILL while it does, then
  started again. Afterwards every event is booked exactly once (one ledger transaction per
  event and per refund), every transaction balances, and the sums per account equal what
  was sent.
- returns while a warehouse scanner posts its batches of parcel events (``POST
  /parcels/scans:batch``, M, M1): returns is killed mid-batch; the scanner resends every
  batch it got no answer for, as a real one does. Afterwards every scan is stored once,
  each parcel exists once, and each scan's ``ParcelScanned`` and each parcel's
  ``ParcelUnmatched`` is in returns' outbox exactly once.

Lost and doubled are counted from the databases, not assumed.
"""

from __future__ import annotations

import asyncio
import random
import time
import uuid
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from aftersales_chassis import Role
from aftersales_chassis.testing import Tokens, eventually
from aftersales_events.catalogue import returns as ret

from .figures import Figure, record, size
from .processes import Publisher, Restartable, Servers, account_sums, encode, fetch, running, scalar, servers

__all__ = ["servers"]  # the fixture

BOOKED = "SELECT source FROM ledger_transactions WHERE source = ANY($1::text[])"


def _refunds(count: int, tag: str) -> list[ret.RefundApproved]:
    rng = random.Random(tag)
    refunds = []
    for i in range(count):
        goods, freight = rng.randint(100, 50_000), rng.choice([0, 800, 1200])
        goodwill = rng.choice([0, 0, 0, 500])
        refunds.append(
            ret.RefundApproved(
                return_id=uuid.uuid4(),
                refund_id=uuid.uuid4(),
                order_id=f"F1-{tag}-{i}",
                kind="return",
                amount_minor=goods + freight + goodwill,
                goods_minor=goods,
                freight_minor=freight,
                goodwill_minor=goodwill,
                currency="CNY",
                method="online",
                approved_by="fault-suite",
                approved_at=datetime.now(UTC),
                merchant_id="M-F1" if i % 2 else None,
            )
        )
    return refunds


async def _kill_when(service: Restartable, applied: Callable[[], Any], at_least: int) -> int:
    """Kills ``service`` as soon as ``applied()`` reaches ``at_least``; returns what it was."""

    async def reached() -> int:
        count = int(await applied())
        return count if count >= at_least else 0

    count = await eventually(reached, timeout=300, interval=0.02, message=f"{at_least} booked")
    service.kill()
    return int(count)


async def test_finance_killed_while_refunds_flow_books_each_once(servers: Servers) -> None:
    count = size(300, 10_000)
    kills = size(1, 2)
    kafka_bootstrap, jwt_secret, test_run_id = servers.kafka_bootstrap, servers.jwt_secret, servers.run_id
    env = servers.env("finance", "f1")
    finance = Restartable("finance", env, "1-finance")
    refunds = _refunds(count, test_run_id)
    events = encode([(refund, str(refund.return_id)) for refund in refunds], at=datetime.now(UTC))
    sources = [f"event:{event.event_id}" for event in events]
    started = time.monotonic()
    async with running(finance):

        async def applied() -> int:
            return int(await scalar(finance.database_url, "SELECT count(*) FROM (" + BOOKED + ") b", sources))

        async def flow() -> None:
            """The refunds arrive over a few seconds, not at once: finance is consuming when killed."""
            chunk = max(count // 50, 1)
            async with Publisher(kafka_bootstrap) as publisher:
                for start in range(0, count, chunk):
                    await publisher.events(events[start : start + chunk])
                    await asyncio.sleep(0.05)

        flowing = asyncio.create_task(flow())
        killed_at, restarts = [], []
        for kill in range(1, kills + 1):
            killed_at.append(await _kill_when(finance, applied, count * kill // (kills + 1)))
            restarts.append(round(await finance.restart(), 1))
        await flowing
        await eventually(lambda: _all(applied, count), timeout=300, interval=0.5, message="every refund booked")

        url = finance.database_url
        booked = Counter(row["source"] for row in await fetch(url, BOOKED, sources))
        per_refund = {
            row["refund_id"]: row["n"]
            for row in await fetch(
                url,
                "SELECT details->>'refund_id' AS refund_id, count(*) AS n FROM ledger_transactions"
                " WHERE details->>'refund_id' = ANY($1::text[]) GROUP BY 1",
                [str(refund.refund_id) for refund in refunds],
            )
        }
        processed = int(
            await scalar(
                url,
                "SELECT count(*) FROM processed_events WHERE consumer = $1 AND event_id = ANY($2::uuid[])",
                env["FINANCE_CONSUMER_GROUP"],
                [event.event_id for event in events],
            )
        )
        unbalanced = int(
            await scalar(
                url,
                "SELECT count(*) FROM (SELECT t.id FROM ledger_transactions t"
                " JOIN postings p ON p.transaction_id = t.id WHERE t.source = ANY($1::text[])"
                " GROUP BY t.id HAVING sum(p.amount_minor) <> 0) u",
                sources,
            )
        )
        sums = await account_sums(url, sources)
        async with httpx.AsyncClient(timeout=30) as http:
            reconciled = await http.get(
                f"{finance.url}/ledger/reconciliation", headers=Tokens(jwt_secret).headers(Role.finance)
            )
    lost = sum(1 for source in sources if booked[source] == 0)
    doubled = sum(n - 1 for n in booked.values()) + sum(n - 1 for n in per_refund.values())
    expected = {
        "customer_refunds_payable": -sum(r.amount_minor for r in refunds),
        "freight_refunds": sum(r.freight_minor for r in refunds),
        "goodwill_expense": sum(r.goodwill_minor for r in refunds),
        "sales_returns": sum(r.goods_minor for r in refunds if r.merchant_id is None),
        "merchant_payables": sum(r.goods_minor for r in refunds if r.merchant_id is not None),
    }
    wrong_sums = {code: (sums.get(code, 0), want) for code, want in expected.items() if sums.get(code, 0) != want}
    record(
        Figure(
            "1 kill -9 finance consumer mid-batch",
            f"{count} RefundApproved on returns.events, finance killed -9 {kills}x while booking them",
            sent=count,
            lost=lost,
            doubled=doubled,
            errored=unbalanced + len(wrong_sums),
            extra={
                "killed_at_booked": "/".join(map(str, killed_at)),
                "restart_s": "/".join(map(str, restarts)),
                "dedupe_rows": processed,
                "unbalanced": unbalanced,
                "sums_equal": not wrong_sums,
                "seconds": round(time.monotonic() - started, 1),
            },
        )
    )
    assert all(at < count for at in killed_at), f"not killed mid-flow: {killed_at} of {count}"
    assert processed == count
    assert unbalanced == 0
    assert not wrong_sums, wrong_sums
    assert reconciled.status_code == 200, reconciled.text
    assert reconciled.json()["ok"], reconciled.json()


async def _all(applied: Callable[[], Any], count: int) -> bool:
    return int(await applied()) >= count


def _scans(parcels: int, tag: str) -> list[dict[str, Any]]:
    """Two scans per parcel (arrived, then inspected intact), labels matching no return."""
    now = datetime.now(UTC) - timedelta(minutes=30)
    scans: list[dict[str, Any]] = []
    for i in range(parcels):
        tracking = f"F1{tag}{i:06d}".upper()
        scans.append({"scan_id": f"f1-{tag}-{i}-a", "kind": "arrived", "scanned_at": now.isoformat(),
                      "tracking_number": tracking, "sender_name": "Fault Suite"})  # fmt: skip
        scans.append({"scan_id": f"f1-{tag}-{i}-i", "kind": "inspected", "intact": True,
                      "scanned_at": (now + timedelta(minutes=1)).isoformat(), "tracking_number": tracking})  # fmt: skip
    return scans


async def test_returns_killed_mid_scan_batch_stores_each_scan_once(servers: Servers) -> None:
    parcels = size(150, 5_000)
    batch_size = size(20, 100)
    jwt_secret, test_run_id = servers.jwt_secret, servers.run_id
    env = servers.env("returns", "f1p")
    returns = Restartable("returns", env, "1-returns")
    scans = _scans(parcels, test_run_id)
    batches = [scans[i : i + batch_size] for i in range(0, len(scans), batch_size)]
    headers = Tokens(jwt_secret).headers(Role.warehouse, subject="scanner-f1")
    acknowledged: list[dict[str, Any]] = []
    resent = 0
    started = time.monotonic()
    async with running(returns), httpx.AsyncClient(timeout=30) as http:

        async def scanner() -> None:
            """Posts each batch until it is answered, as a scanner resending after a lost reply."""
            nonlocal resent
            for batch in batches:
                tries = 0
                while True:
                    tries += 1
                    try:
                        answer = await http.post(f"{returns.url}/parcels/scans:batch", json=batch, headers=headers)
                    except httpx.TransportError:
                        await asyncio.sleep(0.2)
                        continue
                    if answer.status_code >= 500:
                        await asyncio.sleep(0.2)
                        continue
                    assert answer.status_code == 200, answer.text
                    acknowledged.append(answer.json())
                    resent += tries > 1
                    break

        scanning = asyncio.create_task(scanner())
        await eventually(lambda: len(acknowledged) >= len(batches) // 3, timeout=120, message="a third scanned")
        in_flight = len(acknowledged)
        returns.kill()
        restart = await returns.restart()
        await asyncio.wait_for(scanning, 300)

        url = returns.database_url
        scan_ids = [scan["scan_id"] for scan in scans]
        trackings = sorted({scan["tracking_number"] for scan in scans})
        stored = Counter(
            row["scan_id"]
            for row in await fetch(url, "SELECT scan_id FROM parcel_scans WHERE scan_id = ANY($1::text[])", scan_ids)
        )
        parcel_rows = Counter(
            row["tracking_number"]
            for row in await fetch(
                url, "SELECT tracking_number FROM parcels WHERE tracking_number = ANY($1::text[])", trackings
            )
        )
        scanned_events = Counter(
            row["scan_id"]
            for row in await fetch(
                url,
                "SELECT envelope->'data'->>'scan_id' AS scan_id FROM outbox"
                " WHERE event_type = $1 AND envelope->'data'->>'scan_id' = ANY($2::text[])",
                "aftersales.returns.ParcelScanned.v1",
                scan_ids,
            )
        )
        unmatched_events = Counter(
            row["tracking_number"]
            for row in await fetch(
                url,
                "SELECT envelope->'data'->>'tracking_number' AS tracking_number FROM outbox"
                " WHERE event_type = $1 AND envelope->'data'->>'tracking_number' = ANY($2::text[])",
                "aftersales.returns.ParcelUnmatched.v1",
                trackings,
            )
        )
    accepted = sum(len(answer["accepted"]) for answer in acknowledged)
    duplicates = sum(len(answer["duplicates"]) for answer in acknowledged)
    lost = (
        sum(1 for s in scan_ids if stored[s] == 0)
        + sum(1 for t in trackings if parcel_rows[t] == 0)
        + sum(1 for s in scan_ids if scanned_events[s] == 0)
        + sum(1 for t in trackings if unmatched_events[t] == 0)
    )
    doubled = sum(
        n - 1 for counter in (stored, parcel_rows, scanned_events, unmatched_events) for n in counter.values()
    )
    record(
        Figure(
            "1 kill -9 returns mid scan batch",
            f"{len(scans)} parcel scans in batches of {batch_size}, returns killed -9 once mid-batch, "
            "unanswered batches resent",
            sent=len(scans),
            lost=lost,
            doubled=doubled,
            extra={
                "answered_before_kill": f"{in_flight}/{len(batches)}",
                "restart_s": round(restart, 1),
                "batches_resent": resent,
                "accepted": accepted,
                "resent_duplicates": duplicates,
                "seconds": round(time.monotonic() - started, 1),
            },
        )
    )
    assert in_flight < len(batches), "not killed mid-flow"
    # Each scan answered once as accepted, or, in a resent batch the killed process had
    # committed, as a duplicate: never accepted twice.
    assert accepted + duplicates == len(scans)
