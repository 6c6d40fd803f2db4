"""Issue 23, scenario 6: every event delivered twice and out of order within the allowed
bounds; poison messages parked in the DLQ and replayed after the fix.

The bounds: one aggregate's events arrive in the order its producer recorded them (the relay
publishes them in order, on one partition); the redelivery of an event may come at any later
point, after that aggregate's later events too; events of different aggregates (an order's
payment and its return's refund) arrive in any order. finance, a real process on its own
database and consumer group, must apply each event once: one ledger transaction per money
event, one settlement row per order with the paid amount, and sums equal to what was sent.

Poison, on one partition with good events behind it: a message that is not JSON, an unknown
version of an event finance handles (``RefundApproved.v2``), and a refund that breaks a
ledger rule (past the goodwill account's limit). Each goes to ``returns.events.dlq`` with its
error, and the good events behind it are booked. Then the fixes: the limit is raised, finance
is redeployed knowing v2 (tests/faults/finance_next.py), the malformed message is corrected
by hand; ``python -m aftersales_events.dlq replay`` re-publishes the three and each is booked
once, nothing parked again.
"""

from __future__ import annotations

import asyncio
import json
import random
import time
import uuid
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx

from aftersales_chassis import Role
from aftersales_chassis.testing import Tokens, eventually
from aftersales_events.catalogue import orders
from aftersales_events.catalogue import returns as ret
from aftersales_events.dlq import parked
from aftersales_events.envelope import EncodedEvent
from aftersales_events.partitioning import partition_for
from aftersales_events.testing import dlq_command

from .figures import Figure, record, size
from .processes import (
    Publisher,
    Restartable,
    Servers,
    account_sums,
    encode,
    fetch,
    headers_of,
    running,
    scalar,
    servers,
)

__all__ = ["servers"]  # the fixture

TOPIC = "returns.events"
SOURCES = "SELECT source FROM ledger_transactions WHERE source = ANY($1::text[])"


def _refund(order_id: str, return_id: uuid.UUID, amount: int, *, goodwill: int = 0) -> ret.RefundApproved:
    return ret.RefundApproved(
        return_id=return_id, refund_id=uuid.uuid4(), order_id=order_id, amount_minor=amount + goodwill,
        goods_minor=amount, freight_minor=0, goodwill_minor=goodwill, currency="CNY", method="online",
        approved_by="fault-suite", approved_at=datetime.now(UTC),
    )  # fmt: skip


def _order_events(order_id: str, rng: random.Random, at: datetime) -> dict[str, list[EncodedEvent]]:
    """An order placed and paid (key: the order), its return's refund approved and paid out
    (key: the return), each key's events in the order they were recorded."""
    paid = rng.randint(1_000, 90_000)
    refunded = rng.randint(100, paid)
    return_id = uuid.uuid4()
    approved = _refund(order_id, return_id, refunded)
    order_facts = [
        orders.OrderPlaced(order_id=order_id, shop_event_id=f"{order_id}-placed", occurred_at=at, customer_id="C-F6",
                           lines=[orders.OrderLine(sku="SKU-F6", quantity=1, unit_price_minor=paid)],
                           total_minor=paid, currency="CNY"),
        orders.OrderPaid(order_id=order_id, shop_event_id=f"{order_id}-paid", occurred_at=at, paid_minor=paid,
                         currency="CNY"),
    ]  # fmt: skip
    issued = ret.RefundIssued(
        refund_id=approved.refund_id or uuid.uuid4(), return_id=return_id, order_id=order_id, amount_minor=refunded,
        currency="CNY", method="online", provider_reference=f"fake-{order_id}", issued_at=at,
    )  # fmt: skip
    return {
        order_id: encode([(fact, order_id) for fact in order_facts], at=at),
        str(return_id): encode([(approved, str(return_id)), (issued, str(return_id))], at=at),
    }


def _deliveries(per_key: dict[str, list[EncodedEvent]], rng: random.Random) -> tuple[list[EncodedEvent], int]:
    """Every event twice: a key's first deliveries in order, each redelivery at a random later
    point of that key's sequence; the keys' sequences interleaved at random. Also returns how
    many redeliveries came after a later event of their key."""
    sequences: dict[str, list[EncodedEvent]] = {}
    late = 0
    for key, events in per_key.items():
        sequence = list(events)
        for event in events:
            first = sequence.index(event)
            at = rng.randint(first + 1, len(sequence))
            late += any(e.event_id != event.event_id for e in sequence[first + 1 : at])
            sequence.insert(at, event)
        sequences[key] = sequence
    turns = [key for key, sequence in sequences.items() for _ in sequence]
    rng.shuffle(turns)
    cursors = dict.fromkeys(sequences, 0)
    deliveries = []
    for key in turns:
        deliveries.append(sequences[key][cursors[key]])
        cursors[key] += 1
    return deliveries, late


async def test_every_event_twice_and_out_of_order_is_applied_once(servers: Servers) -> None:
    rng = random.Random(servers.run_id)
    order_ids = [f"F6-{servers.run_id}-{i}" for i in range(size(100, 2_500))]
    at = datetime.now(UTC) - timedelta(hours=2)
    per_key: dict[str, list[EncodedEvent]] = {}
    for order_id in order_ids:
        per_key.update(_order_events(order_id, rng, at))
    events = [event for sequence in per_key.values() for event in sequence]
    deliveries, late = _deliveries(per_key, rng)
    finance = Restartable("finance", servers.env("finance", "f6"), "6-finance")
    started = time.monotonic()
    async with running(finance):
        async with Publisher(servers.kafka_bootstrap) as publisher:
            await publisher.events(deliveries)
        url = finance.database_url
        money = [e for e in events if not e.type.endswith(".OrderPlaced.v1")]
        sources = [f"event:{e.event_id}" for e in money]
        processed_query = "SELECT event_id FROM processed_events WHERE consumer = $1 AND event_id = ANY($2::uuid[])"
        group = finance.env["FINANCE_CONSUMER_GROUP"]

        async def all_applied() -> bool:
            return len(await fetch(url, processed_query, group, [e.event_id for e in events])) == len(events)

        await eventually(all_applied, timeout=300, interval=0.3, message="every event applied")
        await asyncio.sleep(1.0)  # the redeliveries behind the last first delivery: dropped, or (wrongly) booked
        booked = Counter(row["source"] for row in await fetch(url, SOURCES, sources))
        settled = {
            row["order_id"]: (row["total_minor"], row["paid_minor"])
            for row in await fetch(
                url,
                "SELECT order_id, total_minor, paid_minor FROM settlement_orders WHERE order_id = ANY($1::text[])",
                order_ids,
            )
        }
        sums = await account_sums(url, sources)
        processed = len(await fetch(url, processed_query, group, [e.event_id for e in events]))
    payloads = [json.loads(e.envelope_json)["data"] for e in events]
    paid = {p["order_id"]: p["paid_minor"] for p, e in zip(payloads, events, strict=True) if "OrderPaid" in e.type}
    issued = sum(p["amount_minor"] for p, e in zip(payloads, events, strict=True) if "RefundIssued" in e.type)
    expected = {"cash": sum(paid.values()) - issued, "customer_refunds_payable": 0}
    wrong_sums = {code: (sums.get(code, 0), want) for code, want in expected.items() if sums.get(code, 0) != want}
    wrong_orders = sum(1 for order_id in order_ids if settled.get(order_id) != (paid[order_id], paid[order_id]))
    lost = sum(1 for source in sources if booked[source] == 0) + sum(1 for o in order_ids if o not in settled)
    doubled = sum(n - 1 for n in booked.values())
    record(
        Figure(
            "6 every event twice, out of order",
            f"{len(events)} events of {len(order_ids)} orders (placed, paid, refund approved, paid out) each "
            "delivered twice, keys interleaved at random",
            sent=len(deliveries),
            lost=lost,
            doubled=doubled,
            errored=len(wrong_sums) + wrong_orders,
            extra={
                "redelivered_after_later_event": late,
                "dedupe_rows": processed,
                "sums_equal": not wrong_sums,
                "seconds": round(time.monotonic() - started, 1),
            },
        )
    )
    assert processed == len(events)
    assert not wrong_sums, wrong_sums
    assert wrong_orders == 0


def _keys_per_partition(prefix: str, partitions: int = 3) -> list[str]:
    """One key on each partition of the topic (as the relay and the producer pick them)."""
    found: dict[int, str] = {}
    i = 0
    while len(found) < partitions:
        key = f"{prefix}-{i}"
        found.setdefault(partition_for(key.encode(), list(range(partitions))), key)
        i += 1
    return [found[p] for p in range(partitions)]


async def test_poison_goes_to_the_dlq_the_partition_moves_on_and_replay_applies_it_after_the_fix(
    servers: Servers, tmp_path: Path
) -> None:
    run = servers.run_id
    finance = Restartable("finance", servers.env("finance", "f6p"), "6-finance-poison")
    group = finance.env["FINANCE_CONSUMER_GROUP"]
    dlq = f"{TOPIC}.dlq"
    headers = Tokens(servers.jwt_secret).headers(Role.finance, subject="fault-suite")
    followers_count = size(20, 200)
    started = time.monotonic()
    async with running(finance), Publisher(servers.kafka_bootstrap) as publisher, httpx.AsyncClient(timeout=30) as http:
        url = finance.database_url
        # A barrier on every partition: finance has read the topic's history (other tests'
        # refunds) before the goodwill account gets its limit.
        barrier = [
            encode([(_refund(f"F6P-{run}-barrier", uuid.UUID(int=i), 100), key)], at=datetime.now(UTC))[0]
            for i, key in enumerate(_keys_per_partition(f"F6P-{run}-barrier"))
        ]
        await publisher.events(barrier)

        async def barrier_booked() -> bool:
            found = await fetch(url, SOURCES, [f"event:{e.event_id}" for e in barrier])
            return len(found) == len(barrier)

        await eventually(barrier_booked, timeout=180, interval=0.3, message="finance past the topic's history")
        balance = int(await scalar(url, "SELECT balance_minor FROM accounts WHERE code = 'goodwill_expense'"))
        limited = await http.put(
            f"{finance.url}/ledger/accounts/goodwill_expense/limits",
            json={"min_balance_minor": None, "max_balance_minor": balance + 1_000},
            headers=headers,
        )
        assert limited.status_code == 200, limited.text

        key = f"F6P-{run}"
        return_id = uuid.uuid4()
        now = datetime.now(UTC)
        [malformed, v2, over_limit] = encode(
            [
                (_refund(f"{key}-json", return_id, 1_000), key),
                (_refund(f"{key}-v2", return_id, 2_000), key),
                (_refund(f"{key}-limit", return_id, 3_000, goodwill=5_000), key),
            ],
            at=now,
        )
        v2_doc = json.loads(v2.envelope_json)
        v2_doc["type"] = v2.type.removesuffix(".v1") + ".v2"
        v2_doc["data"]["reason_code"] = "damaged"
        v2_value = json.dumps(v2_doc).encode()
        followers = encode(
            [(_refund(f"{key}-after-{i}", return_id, 10 + i), key) for i in range(followers_count)], at=now
        )
        acks = [
            await publisher.send(TOPIC, key, malformed.envelope_json.encode()[:-40], headers_of(malformed)),
            await publisher.send(TOPIC, key, v2_value, [*headers_of(v2)[:1], ("event_type", v2_doc["type"].encode())]),
            await publisher.send(TOPIC, key, over_limit.envelope_json.encode(), headers_of(over_limit)),
        ]
        await asyncio.gather(*acks)
        await publisher.events(followers)
        poison = [malformed, v2, over_limit]
        poison_sources = [f"event:{e.event_id}" for e in poison]

        async def followers_booked() -> bool:
            found = await fetch(url, SOURCES, [f"event:{e.event_id}" for e in followers])
            return len(found) == len(followers)

        await eventually(followers_booked, timeout=180, interval=0.3, message="the partition moving on")
        booked_before_replay = len(await fetch(url, SOURCES, poison_sources))

        async def all_parked() -> list[Any]:
            found = await parked(servers.kafka_bootstrap, dlq, consumer=group, idle_timeout=0.5)
            return found if len(found) >= len(poison) else []

        parked_messages = await eventually(all_parked, timeout=120, interval=0.5, message="the poison parked")
        listed = [
            json.loads(line)
            for line in (
                await dlq_command("list", "--bootstrap", servers.kafka_bootstrap, "--topic", dlq, "--consumer", group,
                                   "--json")
            ).splitlines()
        ]  # fmt: skip
        errors = {entry["ref"]: entry["error_type"] for entry in listed}

        # The fixes: the limit raised, finance redeployed knowing v2, the malformed message corrected.
        raised = await http.put(
            f"{finance.url}/ledger/accounts/goodwill_expense/limits",
            json={"min_balance_minor": None, "max_balance_minor": None},
            headers=headers,
        )
        assert raised.status_code == 200, raised.text
        finance.process.stop()
        finance.app = "tests.faults.finance_next:app"
        await finance.restart()
        [bad_json] = [entry["ref"] for entry in listed if entry["event_id"] is None]
        corrected = tmp_path / "corrected.json"
        corrected.write_text(malformed.envelope_json, encoding="utf-8")
        replayed = await dlq_command(
            "replay", "--bootstrap", servers.kafka_bootstrap, "--topic", dlq, "--consumer", group,
            "--fix", f"{bad_json}={corrected}",
        )  # fmt: skip

        async def poison_booked() -> bool:
            return len(await fetch(url, SOURCES, poison_sources)) == len(poison)

        await eventually(poison_booked, timeout=180, interval=0.3, message="the replayed poison booked")
        await asyncio.sleep(1.0)
        booked = Counter(
            row["source"]
            for row in await fetch(url, SOURCES, [*poison_sources, *(f"event:{e.event_id}" for e in followers)])
        )
        parked_again = await parked(servers.kafka_bootstrap, dlq, consumer=group, idle_timeout=0.5)
        v2_type = await scalar(
            url, "SELECT details->>'event_type' FROM ledger_transactions WHERE source = $1", f"event:{v2.event_id}"
        )
    lost = sum(1 for e in [*poison, *followers] if booked[f"event:{e.event_id}"] == 0)
    doubled = sum(n - 1 for n in booked.values())
    record(
        Figure(
            "6 poison to the DLQ, replayed after the fix",
            f"not JSON, RefundApproved.v2 unknown to finance, a refund past the goodwill limit; {followers_count} "
            "good refunds behind them on the same partition; fixed, then `aftersales_events.dlq replay`",
            sent=len(poison) + followers_count,
            lost=lost,
            doubled=doubled,
            refused=len(parked_messages),
            extra={
                "dlq_errors": "/".join(sorted(errors.values())),
                "booked_before_replay": booked_before_replay,
                "replay": replayed.strip().replace(f" from {dlq}", ""),
                "parked_again": len(parked_again),
                "seconds": round(time.monotonic() - started, 1),
            },
        )
    )
    assert len(parked_messages) == len(poison), [m.summary() for m in parked_messages]
    assert sorted(errors.values()) == ["RuleViolation", "UnknownEventVersion", "ValidationError"], listed
    assert booked_before_replay == 0
    assert parked_again == []
    assert v2_type == v2_doc["type"]
