"""Stops an embedded PostgreSQL when its owner dies, however it dies.

``pg_ctl start`` daemonizes the server, so it is nobody's child and would survive a
SIGKILLed ``make run`` or pytest. This small process is our child instead: when we die
the kernel sends it SIGTERM (PR_SET_PDEATHSIG), and it runs ``pg_ctl stop``. On a
normal shutdown the owner stops the server itself and SIGKILLs the watchdog.

SIGINT is ignored. An interrupt is the owner's to handle: it stops the services, then the
broker, then the server. A ``pkill -INT -f aftersales_devstack`` also matches this process,
and when SIGINT stopped the server here, the services' shutdowns failed on a database going
away under them ("the database system is shutting down").

    python -m aftersales_devstack._pg_watchdog PGDATA SYSTEM_USER|'' REMOVE_DIR|''
"""

from __future__ import annotations

import shutil
import signal
import subprocess
import sys
from pathlib import Path

from ._embedded import POSTGRES_BIN_PATH


def pg_ctl_stop(pgdata: Path, user: str | None) -> bool:
    """``pg_ctl stop -m fast`` if a server runs on ``pgdata``; True when it stopped one."""
    if not (pgdata / "postmaster.pid").exists():
        return False
    subprocess.run(
        [str(POSTGRES_BIN_PATH / "pg_ctl"), "-D", str(pgdata), "-w", "-m", "fast", "stop"],
        check=True,
        stdout=subprocess.DEVNULL,
        user=user,
        timeout=60,
    )
    return True


def main(argv: list[str]) -> int:
    pgdata, user, remove = Path(argv[0]), argv[1] or None, argv[2]
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    wanted = {signal.SIGTERM, signal.SIGHUP}
    signal.pthread_sigmask(signal.SIG_BLOCK, wanted)
    sys.stdout.write("ready\n")
    sys.stdout.flush()
    signal.sigwait(wanted)
    pg_ctl_stop(pgdata, user)
    if remove:
        shutil.rmtree(remove, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
