"""The engine's pool pre-ping: on by default for a connection that sat idle (one the server
dropped meanwhile is replaced unseen), skipped for one back in the pool moments ago, off on
request (the caller saves the round trips and meets the dropped connection)."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from aftersales_chassis import ServiceSettings
from aftersales_chassis.db import Database, driver_fetchrow
from aftersales_chassis.uow import commit_begun


async def _drop_pooled_connection(database: Database) -> None:
    """Checks a connection out and back in, then has the server terminate it."""
    async with database.engine.connect() as conn:
        pid = await conn.scalar(text("SELECT pg_backend_pid()"))
    other = Database.connect(str(database.engine.url.render_as_string(hide_password=False)), pool_size=1)
    try:
        async with other.engine.begin() as conn:
            await conn.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
    finally:
        await other.dispose()


async def test_pre_ping_is_on_by_default_and_replaces_a_dropped_idle_connection(chassis_db_url: str) -> None:
    assert ServiceSettings.model_fields["db_pool_pre_ping"].default is True
    assert ServiceSettings.model_fields["db_pool_ping_after_idle_ms"].default == 500
    database = Database.connect(chassis_db_url, pool_size=1, ping_after_idle=0.0)
    try:
        await _drop_pooled_connection(database)
        async with database.engine.connect() as conn:
            assert await conn.scalar(text("SELECT 1")) == 1
    finally:
        await database.dispose()


async def test_a_connection_back_in_the_pool_within_the_window_is_not_pinged(
    chassis_db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Inside the window the checkout costs no round trip, so a connection dropped inside it
    is met by its request (a 503 in a service), and the pool discards it."""
    database = Database.connect(chassis_db_url, pool_size=1, ping_after_idle=60.0)
    pings: list[object] = []
    ping = database.engine.dialect.do_ping
    monkeypatch.setattr(database.engine.dialect, "do_ping", lambda c: pings.append(c) or ping(c))
    try:
        for _ in range(3):
            async with database.engine.connect() as conn:
                assert await conn.scalar(text("SELECT 1")) == 1
        assert pings == []
        await _drop_pooled_connection(database)
        with pytest.raises(DBAPIError):
            async with database.engine.connect() as conn:
                await conn.scalar(text("SELECT 1"))
        async with database.engine.connect() as conn:
            assert await conn.scalar(text("SELECT 1")) == 1
        assert pings == []
    finally:
        await database.dispose()


async def test_a_connection_idle_past_the_window_is_pinged_once_per_checkout(
    chassis_db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    database = Database.connect(chassis_db_url, pool_size=1, ping_after_idle=0.0)
    pings: list[object] = []
    ping = database.engine.dialect.do_ping
    monkeypatch.setattr(database.engine.dialect, "do_ping", lambda c: pings.append(c) or ping(c))
    try:
        for _ in range(3):
            async with database.engine.connect() as conn:
                assert await conn.scalar(text("SELECT 1")) == 1
        assert len(pings) == 2  # not the first checkout: a connection new from the server
    finally:
        await database.dispose()


async def test_without_pre_ping_a_dropped_connection_fails_its_first_use(chassis_db_url: str) -> None:
    database = Database.connect(chassis_db_url, pool_size=1, pre_ping=False)
    try:
        await _drop_pooled_connection(database)
        with pytest.raises(DBAPIError):
            async with database.engine.connect() as conn:
                await conn.scalar(text("SELECT 1"))
        async with database.engine.connect() as conn:  # the pool discarded it: the next one works
            assert await conn.scalar(text("SELECT 1")) == 1
    finally:
        await database.dispose()


async def test_a_statement_sent_by_the_driver_answers_its_row_as_a_dict(chassis_db_url: str) -> None:
    database = Database.connect(chassis_db_url, pool_size=1, pre_ping=False)
    try:
        async with database.sessionmaker() as session:
            assert await driver_fetchrow(session, "SELECT $1::int AS n, 'x' AS s", 7) == {"n": 7, "s": "x"}
            assert await driver_fetchrow(session, "SELECT 1 WHERE false") is None
    finally:
        await database.dispose()


async def test_a_driver_statement_on_a_dropped_connection_is_a_dbapi_error_and_the_pool_discards_it(
    chassis_db_url: str,
) -> None:
    database = Database.connect(chassis_db_url, pool_size=1, pre_ping=False)
    try:
        await _drop_pooled_connection(database)
        async with database.sessionmaker() as session:
            with pytest.raises(DBAPIError) as raised:
                await driver_fetchrow(session, "SELECT 1")
            assert raised.value.connection_invalidated
            await session.rollback()
        async with database.sessionmaker() as session:  # a new connection: it works
            assert await driver_fetchrow(session, "SELECT 1 AS one") == {"one": 1}
    finally:
        await database.dispose()


async def test_the_unit_of_work_commits_only_a_transaction_begun(chassis_db_url: str) -> None:
    database = Database.connect(chassis_db_url, pool_size=1, pre_ping=False)
    commits: list[bool] = []
    try:
        for begin in (False, True):
            async with database.sessionmaker() as session:
                commit = session.commit

                async def counted(commit: Any = commit, begin: bool = begin) -> None:
                    commits.append(begin)
                    await commit()

                session.commit = counted  # type: ignore[method-assign]
                if begin:
                    await session.execute(text("SELECT 1"))
                await commit_begun(session)
                assert not session.in_transaction()
    finally:
        await database.dispose()
    assert commits == [True]
