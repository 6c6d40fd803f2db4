"""Child processes that never outlive us, and the small waits around them."""

from __future__ import annotations

import ctypes
import functools
import logging
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import IO

_logger = logging.getLogger("aftersales_devstack")

_PR_SET_PDEATHSIG = 1
# Loaded here, not in the forked child, so the child runs as little Python as possible.
_LIBC = ctypes.CDLL(None, use_errno=True) if sys.platform == "linux" else None


def _die_with_parent(parent: int) -> None:
    """Runs in the child between fork and exec: the kernel sends SIGTERM when we die."""
    libc = _LIBC
    assert libc is not None
    if libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "prctl(PR_SET_PDEATHSIG) failed")
    # The parent may have died between fork and prctl; then nobody would signal us.
    if os.getppid() != parent:
        os._exit(1)


def spawn(
    argv: Sequence[str],
    *,
    env: Mapping[str, str] | None = None,
    stdout: int | IO[bytes] | None = None,
    stderr: int | IO[bytes] | None = None,
    cwd: Path | None = None,
) -> subprocess.Popen[bytes]:
    """Starts ``argv`` in its own process group, tied to this process's lifetime.

    Its own group keeps a terminal's Ctrl-C away from it, so the supervisor decides the
    shutdown order. PR_SET_PDEATHSIG fires when the spawning *thread* exits, so call this
    from a thread that lives as long as the child should (normally the main thread).
    """
    preexec: Callable[[], None] | None = None
    if sys.platform == "linux":
        preexec = functools.partial(_die_with_parent, os.getpid())
    return subprocess.Popen(
        list(argv),
        env=dict(env) if env is not None else None,
        stdin=subprocess.DEVNULL,
        stdout=stdout,
        stderr=stderr,
        cwd=cwd,
        process_group=0,
        # preexec_fn is the only way to set PR_SET_PDEATHSIG for the child; it only calls
        # prctl and getppid, so the fork-with-threads hazard does not apply.
        preexec_fn=preexec,
    )


def stop(proc: subprocess.Popen[bytes], *, timeout: float = 10.0, name: str = "process") -> int:
    """SIGTERM, wait up to ``timeout`` seconds, then SIGKILL. Returns the exit code."""
    return stop_all([(name, proc)], timeout=timeout)[name]


def _signal_group(proc: subprocess.Popen[bytes], sig: signal.Signals) -> None:
    try:
        os.killpg(proc.pid, sig)
    except ProcessLookupError:
        # Already gone (or its group is): the signal has nobody left to reach.
        _logger.debug("devstack.stop.gone pid=%s", proc.pid)


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        port: int = sock.getsockname()[1]
        return port


def port_in_use(host: str, port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(0.5)
        return sock.connect_ex((host, port)) == 0


def wait_until(
    condition: Callable[[], bool],
    *,
    timeout: float,
    what: str,
    alive: Callable[[], bool] | None = None,
    interval: float = 0.05,
) -> None:
    """Polls ``condition`` until true; fails fast when ``alive`` says the child died."""
    deadline = time.monotonic() + timeout
    while not condition():
        if alive is not None and not alive():
            raise RuntimeError(f"{what}: the process exited before it was ready")
        if time.monotonic() > deadline:
            raise TimeoutError(f"{what}: not ready after {timeout:.0f}s")
        time.sleep(interval)


def stop_all(procs: Sequence[tuple[str, subprocess.Popen[bytes]]], *, timeout: float) -> dict[str, int]:
    """SIGTERM every group at once, then one shared deadline, then SIGKILL the stragglers."""
    for _, proc in procs:
        if proc.poll() is None:
            _signal_group(proc, signal.SIGTERM)
    deadline = time.monotonic() + timeout
    codes: dict[str, int] = {}
    for name, proc in procs:
        try:
            codes[name] = proc.wait(timeout=max(0.0, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            _logger.warning(
                "devstack.stop.killed name=%s pid=%s timeout=%s",
                name,
                proc.pid,
                timeout,
            )
            _signal_group(proc, signal.SIGKILL)
            codes[name] = proc.wait()
    return codes
