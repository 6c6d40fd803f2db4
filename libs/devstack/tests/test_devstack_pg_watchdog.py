"""The embedded server's watchdog: an interrupt is its owner's to handle; a termination (the
owner's death, PR_SET_PDEATHSIG) makes it stop the server and remove what it was told to."""

from __future__ import annotations

import signal
import subprocess
import sys
from pathlib import Path

import pytest


def _watchdog(tmp_path: Path) -> tuple[subprocess.Popen[bytes], Path]:
    # No postmaster.pid in this pgdata: the stop finds no server and runs no pg_ctl.
    remove = tmp_path / "scratch"
    (remove / "pgdata").mkdir(parents=True)
    process = subprocess.Popen(
        [sys.executable, "-m", "aftersales_devstack._pg_watchdog", str(remove / "pgdata"), "", str(remove)],
        stdout=subprocess.PIPE,
    )
    assert process.stdout is not None
    assert process.stdout.readline().strip() == b"ready"
    return process, remove


def test_an_interrupt_leaves_it_watching_and_a_termination_stops_it(tmp_path: Path) -> None:
    process, remove = _watchdog(tmp_path)
    try:
        process.send_signal(signal.SIGINT)
        with pytest.raises(subprocess.TimeoutExpired):
            process.wait(timeout=1)
        assert remove.exists()
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=30) == 0
        assert not remove.exists()
    finally:
        process.kill()
        process.wait()
