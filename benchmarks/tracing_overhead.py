"""What tracing costs on the scan path (ADR 0018): two returns services side by side, one with
tracing off (the default) and one with it on (server, asyncpg and aiokafka instrumented, a
``traceparent`` in every event, spans made but handed to no exporter, so the figure
is the services' own cost, not a collector's). Each round posts the same number of batches
of 100 new-parcel arrivals to one, then the other, in alternating order; the ratio traced ÷
untraced is taken within a round and the median printed.

    .venv/bin/python -m benchmarks.tracing_overhead      # BENCH_TRACING_BATCHES=20 BENCH_TRACING_ROUNDS=3
"""

from __future__ import annotations

import asyncio
import os
import statistics
import sys
import uuid
from contextlib import ExitStack

from aftersales_devstack.broker import Broker
from aftersales_devstack.services import running_service

from .harness import scratch_database
from .scan_ingestion import SECRET, _batch, _http

BATCHES = int(os.environ.get("BENCH_TRACING_BATCHES", "20"))
ROUNDS = int(os.environ.get("BENCH_TRACING_ROUNDS", "3"))
SCANNERS = 2


def main() -> None:
    given = os.environ.get("KAFKA_BOOTSTRAP_SERVERS")
    broker = None if given else Broker()
    bootstrap = given or (broker.bootstrap if broker else "")
    rates: dict[str, list[float]] = {"off": [], "on": []}
    try:
        with ExitStack() as stack:
            urls = {}
            for mode in ("off", "on"):
                database = stack.enter_context(scratch_database("returns"))
                extra = {
                    "RETURNS_LOG_LEVEL": "WARNING",
                    "RETURNS_TRACING_ENABLED": "true" if mode == "on" else "false",
                    "RETURNS_CONSUMER_GROUP": f"returns-bench-{mode}-{uuid.uuid4().hex[:6]}",
                }
                service = stack.enter_context(
                    running_service(
                        "returns", database_url=database, kafka_bootstrap=bootstrap, jwt_secret=SECRET, extra_env=extra
                    )
                )
                urls[mode] = service.url
            run = uuid.uuid4().hex[:6]
            for mode, url in urls.items():
                asyncio.run(_http(url, [_batch(f"w{run}{mode}-{n}") for n in range(3)], 1))
            for r in range(ROUNDS):
                order = ("off", "on") if r % 2 == 0 else ("on", "off")
                for mode in order:
                    batches = [_batch(f"t{run}{mode}{r}-{n}") for n in range(BATCHES)]
                    rates[mode].append(asyncio.run(_http(urls[mode], batches, SCANNERS))[0])
    finally:
        if broker is not None:
            broker.stop()
    ratios = [on / off for on, off in zip(rates["on"], rates["off"], strict=True)]
    out = sys.stdout
    out.write(f"\nTracing overhead on the scan path: {BATCHES} batches of 100 per round, {SCANNERS} scanners\n")
    out.write(f"tracing off: median {statistics.median(rates['off']):,.0f} scans/s; ")
    out.write(f"on (not exported): median {statistics.median(rates['on']):,.0f} scans/s\n")
    out.write(
        f"traced ÷ untraced, same round: median {statistics.median(ratios):.0%} "
        f"(rounds {', '.join(f'{x:.0%}' for x in ratios)})\n"
    )


if __name__ == "__main__":
    main()
