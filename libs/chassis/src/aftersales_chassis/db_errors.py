"""The database's refusals, read as what they mean: keyed by SQLSTATE and constraint name,
never by message text.

A rule the database enforces (a CHECK or UNIQUE constraint, or a trigger that raises
``USING ERRCODE = '23514', CONSTRAINT = 'settlement_frozen'``) has a name; a service maps
the names it knows to the domain errors they mean, once::

    REFUSALS = DatabaseRefusals({
        (CHECK_VIOLATION, "ck_accounts_within_limits"): lambda _: RuleViolation("ledger.balance-limit", "..."),
        (CHECK_VIOLATION, "settlement_frozen"): lambda refusal: Conflict(refusal.message),
    })

    with REFUSALS:
        await session.flush()

Any other database error passes through unchanged (to the platform's problem handlers).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import TracebackType

from sqlalchemy.exc import DBAPIError

from .errors import DomainError

# The SQLSTATEs the services key on (PostgreSQL, Appendix A).
CHECK_VIOLATION = "23514"
UNIQUE_VIOLATION = "23505"
FOREIGN_KEY_VIOLATION = "23503"
EXCLUSION_VIOLATION = "23P01"


@dataclass(frozen=True)
class Refusal:
    """What the server said: its SQLSTATE, the constraint it names (a trigger names one with
    ``CONSTRAINT = ...``), and its primary message (for a problem's detail, not to match)."""

    sqlstate: str | None
    constraint: str | None
    message: str


def driver_error(error: DBAPIError) -> BaseException | None:
    """The driver's own exception behind SQLAlchemy's: asyncpg's ``PostgresError`` carries
    ``sqlstate``, ``constraint_name`` and ``message``. SQLAlchemy's asyncpg adapter wraps it
    in an emulated DBAPI error (``error.orig``), raised from it and holding it as ``.orig``."""
    adapted = error.orig
    if adapted is None:
        return None
    inner = getattr(adapted, "orig", None) or adapted.__cause__
    return inner if isinstance(inner, BaseException) else adapted


def refusal_of(error: DBAPIError) -> Refusal:
    driver = driver_error(error)
    adapted = error.orig
    sqlstate = getattr(driver, "sqlstate", None) or getattr(adapted, "sqlstate", None)
    message = getattr(driver, "message", None)
    return Refusal(
        sqlstate=sqlstate if isinstance(sqlstate, str) else None,
        constraint=getattr(driver, "constraint_name", None),
        message=message if isinstance(message, str) else str(driver or adapted or error),
    )


Translation = Callable[[Refusal], DomainError]


class DatabaseRefusals:
    """A context manager that raises the domain error a known refusal means (chained to the
    database's error) and lets every other error through. Stateless: one module-level
    instance serves every ``with``."""

    def __init__(self, translations: Mapping[tuple[str, str], Translation]) -> None:
        self._translations = dict(translations)

    def translate(self, error: DBAPIError) -> DomainError | None:
        refusal = refusal_of(error)
        if refusal.sqlstate is None or refusal.constraint is None:
            return None
        translation = self._translations.get((refusal.sqlstate, refusal.constraint))
        return translation(refusal) if translation is not None else None

    def __enter__(self) -> None:
        return None

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, traceback: TracebackType | None
    ) -> None:
        if isinstance(error, DBAPIError) and (domain := self.translate(error)) is not None:
            raise domain from error
