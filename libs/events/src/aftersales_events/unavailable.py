"""Is this error the database being out of reach, rather than a statement it refused?

A restart, a failover or an exhausted pool reaches the code as many kinds of error: the
server's own (SQLSTATE class 08, 57P01-57P03, 53300), the socket's (refused, reset, the
unix socket gone), a connect timeout, SQLAlchemy's pool timeout or an invalidated
connection, each wrapped in one or two layers. Read here once, for the HTTP edge (503 with
``Retry-After``, aftersales_chassis.problem_handlers) and for consumers (wait for the
database instead of spending a message's attempts and dead-lettering it, consumer.py).
"""

from __future__ import annotations

import errno
from types import TracebackType

from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError

# connection_exception (08xxx); admin_shutdown, crash_shutdown, cannot_connect_now;
# too_many_connections.
UNAVAILABLE_SQLSTATES = frozenset({"57P01", "57P02", "57P03", "53300"})
_SOCKET_ERRNOS = frozenset(
    {
        errno.ECONNREFUSED,
        errno.ECONNRESET,
        errno.ECONNABORTED,
        errno.EPIPE,
        errno.ENOENT,  # the server's unix socket is gone while it is down
        errno.ETIMEDOUT,
        errno.EHOSTUNREACH,
        errno.ENETUNREACH,
    }
)
_DRIVER_MODULES = ("asyncpg", "sqlalchemy")


def _raised_in_driver(tb: TracebackType | None) -> bool:
    """A plain OSError or TimeoutError counts only if it came through the database driver
    (a missing file in storage code is not a database outage)."""
    while tb is not None:
        module = str(tb.tb_frame.f_globals.get("__name__", ""))
        if module.startswith(_DRIVER_MODULES):
            return True
        tb = tb.tb_next
    return False


def _chain(error: BaseException) -> list[BaseException]:
    seen: list[BaseException] = []
    todo: list[BaseException | None] = [error]
    while todo and len(seen) < 12:
        current = todo.pop()
        if current is None or any(current is s for s in seen):
            continue
        seen.append(current)
        orig = getattr(current, "orig", None)
        todo.extend(
            [
                current.__cause__,
                current.__context__,
                orig if isinstance(orig, BaseException) else None,
            ]
        )
    return seen


def database_unavailable(error: BaseException) -> bool:
    """True when ``error`` (or what it wraps) says the database cannot be reached now."""
    in_driver = _raised_in_driver(error.__traceback__)
    for link in _chain(error):
        if isinstance(link, PoolTimeoutError):
            return True
        if isinstance(link, DBAPIError) and link.connection_invalidated:
            return True
        sqlstate = getattr(link, "sqlstate", None)
        if isinstance(sqlstate, str) and (sqlstate.startswith("08") or sqlstate in UNAVAILABLE_SQLSTATES):
            return True
        if type(link).__name__ == "ConnectionDoesNotExistError":  # asyncpg's, raised with no sqlstate sent
            return True
        from_driver = in_driver or _raised_in_driver(link.__traceback__)
        if isinstance(link, ConnectionError) and from_driver:
            return True
        if isinstance(link, OSError) and link.errno in _SOCKET_ERRNOS and from_driver:
            return True
        if isinstance(link, TimeoutError) and from_driver:
            return True
    return False
