"""Where one complaint intake's time goes, in process (ADR 0022, 0023): round trips to
PostgreSQL counted at the driver (asyncpg: prepares, statements, BEGIN/COMMIT, the pool's
pre-ping, COPY), CPU per complaint, and cProfile's top functions.

Not part of ``make bench`` (it prints a profile, not a figure to compare). Run:
``.venv/bin/python -m benchmarks.complaint_intake_profile [single|batch] [N] [pre-ping on|off] [relay on|off]``
with TEST_DATABASE_URL set (or an embedded server starts). ``batch`` sends the N messages in
requests of at most 200 (the endpoint's limit). ``--stats`` prints cProfile's top functions
(``--cumulative``: by cumulative time), ``--callers NAME`` who called the functions matching
NAME. The app runs in this process behind httpx's ASGI transport (no socket); the SLA
scheduler is off, the relay too unless asked for, so what is counted is the request's own
work (with the relay: its share too).
"""

from __future__ import annotations

import asyncio
import cProfile
import io
import pstats
import sys
import time
from collections import Counter
from collections.abc import Callable
from typing import Any

import asyncpg  # type: ignore[import-untyped,unused-ignore]

from aftersales_chassis import ManualClock, Role, create_app, mint_token
from aftersales_chassis.testing import app_client
from aftersales_devstack.broker import Broker
from tickets_service.main import definition
from tickets_service.settings import TicketsSettings

from .complaint_intake import SECRET, _messages
from .harness import scratch_database

TRIPS: Counter[str] = Counter()
BATCH_LIMIT = 200  # POST /complaints/intake:batch takes at most this many messages


def _count(owner: Any, name: str, label: Callable[..., str]) -> None:
    original = getattr(owner, name)

    async def counted(*args: Any, **kwargs: Any) -> Any:
        TRIPS[label(*args, **kwargs)] += 1
        return await original(*args, **kwargs)

    setattr(owner, name, counted)


def _instrument() -> None:
    """Every call that waits for PostgreSQL, by kind (a prepare only on a cache miss)."""
    from asyncpg.prepared_stmt import PreparedStatement  # type: ignore[import-untyped,unused-ignore]
    from asyncpg.transaction import Transaction  # type: ignore[import-untyped,unused-ignore]

    def sql(_self: Any, *_: Any, **__: Any) -> str:
        return "statement: " + " ".join(str(_self.get_query()).split())[:70]

    for name in ("fetch", "fetchrow", "fetchval", "executemany"):
        _count(PreparedStatement, name, sql)
    _count(asyncpg.Connection, "prepare", lambda _s, query, *a, **k: "prepare")
    _count(asyncpg.Connection, "executemany", lambda _s, query, *a, **k: "executemany: " + " ".join(query.split())[:60])
    _count(asyncpg.Connection, "fetchrow", lambda _s, query, *a, **k: f"fetchrow {query!r} (pre-ping)")
    _count(asyncpg.Connection, "copy_records_to_table", lambda *a, **k: "COPY outbox")
    _count(Transaction, "start", lambda *a, **k: "BEGIN")
    _count(Transaction, "commit", lambda *a, **k: "COMMIT")
    _count(Transaction, "rollback", lambda *a, **k: "ROLLBACK")


async def _run(url: str, bootstrap: str, path: str, n: int, pre_ping: bool, relay: bool) -> None:
    settings = TicketsSettings(
        environment="test", database_url=url, kafka_bootstrap_servers=bootstrap, jwt_secret=SECRET,
        log_json=False, log_level="WARNING", sla_scheduler_enabled=False, outbox_relay_enabled=relay,
        storage_url="memory:///", db_pool_pre_ping=pre_ping,
    )  # fmt: skip
    app = create_app(definition, settings=settings, clock=ManualClock(time_now()))
    token = mint_token(SECRET, subject="bench-gateway", roles=[Role.service])
    headers = {"Authorization": f"Bearer {token}"}
    async with app_client(app) as client:

        async def send(bodies: list[dict[str, Any]]) -> None:
            if path == "single":
                for body in bodies:
                    answer = await client.post("/complaints/intake", json=body, headers=headers)
                    assert answer.status_code == 201, answer.text
            else:
                for start in range(0, len(bodies), BATCH_LIMIT):
                    chunk = bodies[start : start + BATCH_LIMIT]
                    answer = await client.post("/complaints/intake:batch", json=chunk, headers=headers)
                    assert answer.status_code == 200, answer.text
                    assert all(r["outcome"] == "created" for r in answer.json()["results"]), answer.text

        await send(_messages("warm")[:n])
        TRIPS.clear()
        bodies = _messages("prof")[:n]
        profile = cProfile.Profile()
        cpu, wall = time.process_time(), time.perf_counter()
        profile.enable()
        await send(bodies)
        profile.disable()
        cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
        trips = Counter(TRIPS)  # before the shutdown's own statements
    out = sys.stdout
    requests = n if path == "single" else -(-n // BATCH_LIMIT)
    out.write(f"\n{path}: {n} complaints in {requests} request(s), pre-ping {'on' if pre_ping else 'off'}, "
              f"relay {'on' if settings.outbox_relay_enabled else 'off'}\n")  # fmt: skip
    out.write(f"CPU {cpu / n * 1000:.2f} ms per complaint, wall {wall / n * 1000:.2f} ms per complaint\n")
    out.write(f"round trips per request: {sum(trips.values()) / requests:.1f}\n")
    for what, count in trips.most_common():
        out.write(f"  {count / requests:6.1f}  {what}\n")
    text = io.StringIO()
    pstats.Stats(profile, stream=text).sort_stats("cumtime" if "--cumulative" in sys.argv else "tottime").print_stats(
        40
    )
    out.write(text.getvalue() if "--stats" in sys.argv else "")
    if "--callers" in sys.argv:
        text = io.StringIO()
        pstats.Stats(profile, stream=text).print_callers(sys.argv[sys.argv.index("--callers") + 1])
        out.write(text.getvalue())


def time_now() -> Any:
    from datetime import UTC, datetime

    return datetime.now(UTC)


def main() -> None:
    path = sys.argv[1] if len(sys.argv) > 1 else "single"
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 300
    pre_ping = (sys.argv[3] if len(sys.argv) > 3 else "on") == "on"
    relay = (sys.argv[4] if len(sys.argv) > 4 else "off") == "on"
    _instrument()
    broker = Broker()
    try:
        with scratch_database("tickets") as url:
            asyncio.run(_run(url, broker.bootstrap, path, n, pre_ping, relay))
    finally:
        broker.stop()


if __name__ == "__main__":
    main()
