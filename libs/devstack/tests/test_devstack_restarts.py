"""``make run`` restarts a crashed service (issue 17 item 13), with real child processes
and a time the test drives."""

from __future__ import annotations

import logging
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from aftersales_devstack._proc import spawn, stop
from aftersales_devstack.restarts import KeepsCrashing, RestartPolicy, Supervised

POLICY = RestartPolicy(first_delay=1.0, max_delay=8.0, max_crashes=3, window=60.0)


@pytest.fixture
def started() -> Iterator[list[subprocess.Popen[bytes]]]:
    processes: list[subprocess.Popen[bytes]] = []
    yield processes
    for process in processes:
        stop(process, timeout=5)


def _child(started: list[subprocess.Popen[bytes]], tally: Path, crashes: int) -> Callable[[], subprocess.Popen[bytes]]:
    """A process that exits with code 3 its first ``crashes`` times (counted in ``tally``),
    then stays up, as a service with a bug that a restart gets past."""
    code = (
        "import pathlib, sys, time\n"
        f"tally = pathlib.Path({str(tally)!r})\n"
        "runs = int(tally.read_text() or 0) + 1 if tally.exists() else 1\n"
        "tally.write_text(str(runs))\n"
        f"sys.exit(3) if runs <= {crashes} else time.sleep(600)\n"
    )

    def start() -> subprocess.Popen[bytes]:
        started.append(spawn([sys.executable, "-c", code]))
        return started[-1]

    return start


def _exited(one: Supervised) -> None:
    one.process.wait(timeout=30)


def test_a_crashed_service_is_started_again_after_a_pause_and_the_log_says_so(
    started: list[subprocess.Popen[bytes]], tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="aftersales_devstack")
    one = Supervised("returns", _child(started, tmp_path / "runs", crashes=1), POLICY)
    _exited(one)
    one.tick(100.0)
    assert one.restart_at == 101.0  # the first pause
    assert "devstack.service.crashed service=returns code=3 restart_in=1.0s crashes=1/3" in caplog.text
    one.tick(100.5)
    assert len(started) == 1  # not before the pause is over
    one.tick(101.0)
    assert len(started) == 2
    assert "devstack.service.restarted service=returns" in caplog.text
    one.tick(102.0)
    assert one.process.poll() is None  # the second run stays up
    assert one.restart_at is None


def test_the_pause_doubles_and_a_crash_loop_stops_everything(
    started: list[subprocess.Popen[bytes]], tmp_path: Path
) -> None:
    one = Supervised("finance", _child(started, tmp_path / "runs", crashes=100), POLICY)
    now = 0.0
    pauses = []
    for _ in range(2):
        _exited(one)
        one.tick(now)
        assert one.restart_at is not None
        pauses.append(one.restart_at - now)
        now = one.restart_at
        one.tick(now)
    assert pauses == [1.0, 2.0]
    _exited(one)
    with pytest.raises(KeepsCrashing, match="finance exited with code 3: 3 crashes within 60s"):
        one.tick(now)
    assert len(started) == 3


def test_crashes_spread_over_more_than_the_window_are_always_restarted(
    started: list[subprocess.Popen[bytes]], tmp_path: Path
) -> None:
    one = Supervised("tickets", _child(started, tmp_path / "runs", crashes=5), POLICY)
    now = 0.0
    for _ in range(5):  # one crash every 61 s: never 3 within 60 s
        _exited(one)
        one.tick(now)
        assert one.restart_at == now + 1.0  # the older crashes left the window: the pause resets
        one.tick(now + 1.0)
        now += 61.0
    assert len(started) == 6
    one.tick(now)
    assert one.process.poll() is None
