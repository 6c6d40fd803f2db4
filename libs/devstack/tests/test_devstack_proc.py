from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap

import pytest

from aftersales_devstack._proc import spawn, stop, wait_until


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie still answers kill(0); it is dead for our purposes.
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().split(")")[-1].split()[0] != "Z"
    except FileNotFoundError:
        return False


@pytest.mark.skipif(sys.platform != "linux", reason="PR_SET_PDEATHSIG is Linux-only")
def test_children_die_with_their_parent() -> None:
    parent_code = textwrap.dedent(
        """
        import signal, sys
        from aftersales_devstack._proc import spawn
        child = spawn([sys.executable, "-c", "import signal; signal.pause()"])
        sys.stdout.write(f"{child.pid}\\n")
        sys.stdout.flush()
        signal.pause()
        """
    )
    parent = subprocess.Popen([sys.executable, "-c", parent_code], stdout=subprocess.PIPE, text=True)
    assert parent.stdout is not None
    child_pid = int(parent.stdout.readline())
    assert _alive(child_pid)
    parent.kill()
    parent.wait()
    wait_until(lambda: not _alive(child_pid), timeout=10, what="orphaned child to exit")


def test_stop_kills_a_child_that_ignores_sigterm() -> None:
    code = "import signal; signal.signal(signal.SIGTERM, signal.SIG_IGN); print('ready', flush=True); signal.pause()"
    proc = spawn([sys.executable, "-c", code], stdout=subprocess.PIPE)
    assert proc.stdout is not None
    assert proc.stdout.readline().strip() == b"ready"
    assert stop(proc, timeout=0.5) == -signal.SIGKILL


def test_stop_terminates_gracefully() -> None:
    proc = spawn([sys.executable, "-c", "import signal; signal.pause()"])
    assert stop(proc, timeout=10) == -signal.SIGTERM


def test_spawned_child_has_its_own_process_group() -> None:
    proc = spawn([sys.executable, "-c", "import signal; signal.pause()"])
    try:
        assert os.getpgid(proc.pid) == proc.pid != os.getpgid(0)
    finally:
        stop(proc)
