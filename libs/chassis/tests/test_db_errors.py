"""Database refusals translated by (SQLSTATE, constraint name), read from asyncpg's own
error behind SQLAlchemy's; anything else passes through untouched."""

from __future__ import annotations

from pathlib import Path

import asyncpg  # type: ignore[import-untyped,unused-ignore]
import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from aftersales_chassis import Conflict, RuleViolation
from aftersales_chassis.db_errors import (
    CHECK_VIOLATION,
    UNIQUE_VIOLATION,
    DatabaseRefusals,
    Refusal,
    refusal_of,
)
from aftersales_chassis.migration_history import earlier_migration, or_replace

from .kit import Harness


def _raise(sqlstate: str, constraint: str | None, message: str = "widget 7 is frozen") -> str:
    named = f", CONSTRAINT = '{constraint}'" if constraint else ""
    return f"DO $$ BEGIN RAISE EXCEPTION '{message}' USING ERRCODE = '{sqlstate}'{named}; END $$"


REFUSALS = DatabaseRefusals(
    {
        (CHECK_VIOLATION, "widget_frozen"): lambda refused: Conflict(refused.message),
        (CHECK_VIOLATION, "widget_four_eyes"): lambda _: RuleViolation("widget.four-eyes", "another user approves"),
    }
)


async def _run(harness: Harness, statement: str) -> None:
    async with harness.sessionmaker() as session:  # never committed
        await session.execute(text(statement))


async def _caught(harness: Harness, statement: str) -> DBAPIError:
    with pytest.raises(DBAPIError) as caught:
        await _run(harness, statement)
    return caught.value


async def test_a_refusal_is_read_from_the_driver_error(harness: Harness) -> None:
    error = await _caught(harness, _raise(CHECK_VIOLATION, "widget_frozen"))
    assert refusal_of(error) == Refusal(sqlstate="23514", constraint="widget_frozen", message="widget 7 is frozen")
    # A real constraint names itself; the message is the server's primary message.
    async with harness.sessionmaker() as session:
        await session.execute(text("CREATE TEMP TABLE t (x int CONSTRAINT ck_t_positive CHECK (x > 0))"))
        with pytest.raises(DBAPIError) as caught:
            await session.execute(text("INSERT INTO t VALUES (0)"))
    assert (refusal_of(caught.value).sqlstate, refusal_of(caught.value).constraint) == ("23514", "ck_t_positive")
    error = await _caught(harness, "SELECT 1 / 0")
    assert refusal_of(error) == Refusal(sqlstate="22012", constraint=None, message="division by zero")


async def test_a_driver_error_wrapped_directly_is_read_too(harness: Harness) -> None:
    """The outbox's COPY wraps asyncpg's error itself (``DBAPIError.instance``), with no
    adapter between: the same refusal is read."""
    async with harness.sessionmaker() as session:
        raw = await (await session.connection()).get_raw_connection()
        assert raw.driver_connection is not None
        with pytest.raises(asyncpg.PostgresError) as caught:
            await raw.driver_connection.execute(_raise(CHECK_VIOLATION, "widget_frozen"))
    wrapped = DBAPIError.instance("DO ...", None, caught.value, asyncpg.PostgresError)
    assert refusal_of(wrapped) == Refusal(sqlstate="23514", constraint="widget_frozen", message="widget 7 is frozen")


@pytest.mark.parametrize(
    ("constraint", "expected", "status"), [("widget_frozen", Conflict, 409), ("widget_four_eyes", RuleViolation, 422)]
)
async def test_a_known_refusal_is_the_domain_error_it_means(
    harness: Harness, constraint: str, expected: type[Exception], status: int
) -> None:
    for _ in range(2):  # one instance serves every `with`
        with pytest.raises(expected) as refused, REFUSALS:
            await _run(harness, _raise(CHECK_VIOLATION, constraint))
        assert refused.value.status == status
        assert isinstance(refused.value.__cause__, DBAPIError)
    assert str(refused.value) in ("widget 7 is frozen", "another user approves")


@pytest.mark.parametrize(
    "statement",
    [
        _raise(UNIQUE_VIOLATION, "widget_frozen"),  # the name, with another SQLSTATE
        _raise(CHECK_VIOLATION, "gadget_frozen"),  # another constraint
        _raise(CHECK_VIOLATION, None, "widget 7 is frozen"),  # the same words, no name: text is never matched
        "SELECT 1 / 0",  # not a refusal at all
    ],
    ids=["other-sqlstate", "other-constraint", "same-message-unnamed", "unrelated"],
)
async def test_any_other_database_error_passes_through_unchanged(harness: Harness, statement: str) -> None:
    with pytest.raises(DBAPIError), REFUSALS:
        await _run(harness, statement)


def test_other_exceptions_and_no_exception_pass_through() -> None:
    with pytest.raises(KeyError), REFUSALS:
        raise KeyError("not a database error")
    with REFUSALS:
        pass


def test_a_later_migration_reads_an_earlier_ones_function(tmp_path: Path) -> None:
    (tmp_path / "20260101_0900_x_0001_first.py").write_text(
        'BODY = """\nCREATE FUNCTION f() RETURNS int AS $$ 1 $$;\n"""\n'
    )
    later = tmp_path / "20260102_0900_x_0002_second.py"
    earlier = earlier_migration(str(later), "20260101_0900_x_0001_first.py")
    assert or_replace(earlier.BODY) == "CREATE OR REPLACE FUNCTION f() RETURNS int AS $$ 1 $$;\n"
    with pytest.raises(ValueError, match="not a CREATE FUNCTION"):
        or_replace("CREATE TRIGGER t ...")
