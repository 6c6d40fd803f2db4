"""The engine's pool pre-ping: on by default for a connection that sat idle (one the server
dropped meanwhile is replaced unseen), skipped for one back in the pool moments ago, off on
request (the caller saves the round trips and meets the dropped connection)."""

from __future__ import annotations

import asyncio
import socket
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from aftersales_chassis import ServiceSettings
from aftersales_chassis.db import Database, driver_fetchrow, driver_pool
from aftersales_chassis.uow import commit_begun
from aftersales_events.unavailable import database_unavailable


async def _drop_pooled_connection(database: Database) -> None:
    """Checks a connection out and back in, then has the server terminate it."""
    async with database.engine.connect() as conn:
        pid = await conn.scalar(text("SELECT pg_backend_pid()"))
    other = Database.connect(str(database.engine.url.render_as_string(hide_password=False)), pool_size=1)
    try:
        async with other.engine.begin() as conn:
            await conn.execute(text("SELECT pg_terminate_backend(:pid, 5000)"), {"pid": pid})
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


def _counted_pings(database: Database, monkeypatch: pytest.MonkeyPatch) -> list[object]:
    """The connections the dialect pings from now on, each ping still sent."""
    pings: list[object] = []
    ping = database.engine.dialect.do_ping
    monkeypatch.setattr(database.engine.dialect, "do_ping", lambda c: pings.append(c) or ping(c))
    return pings


async def _three_checkouts(database: Database) -> None:
    for _ in range(3):
        async with database.engine.connect() as conn:
            assert await conn.scalar(text("SELECT 1")) == 1


async def test_a_connection_back_in_the_pool_within_the_window_is_not_pinged(
    chassis_db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Inside the window the checkout costs no round trip, so a connection dropped inside it
    is met by its request (a 503 in a service), and the pool discards it."""
    database = Database.connect(chassis_db_url, pool_size=1, ping_after_idle=60.0)
    pings = _counted_pings(database, monkeypatch)
    try:
        await _three_checkouts(database)
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
    pings = _counted_pings(database, monkeypatch)
    try:
        await _three_checkouts(database)
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


async def test_a_driver_connection_dropped_while_idle_is_replaced_unseen(chassis_db_url: str) -> None:
    """asyncpg reads the server's goodbye on an idle connection as it comes (the event loop
    watches the socket), so its pool reconnects on the next acquire: no request meets it."""
    database = Database.connect(chassis_db_url, pool_size=1, pre_ping=False)
    try:
        async with database.sessionmaker() as session:
            first = await driver_fetchrow(session, "SELECT pg_backend_pid() AS pid")
        assert first is not None
        async with database.engine.begin() as conn:
            await conn.execute(text("SELECT pg_terminate_backend(:pid, 5000)"), {"pid": first["pid"]})
        await asyncio.sleep(0.05)
        async with database.sessionmaker() as session:
            again = await driver_fetchrow(session, "SELECT pg_backend_pid() AS pid")
        assert again is not None
        assert again["pid"] != first["pid"]
    finally:
        await database.dispose()


async def test_a_driver_connection_lost_mid_statement_is_a_dbapi_error_and_the_next_one_works(
    chassis_db_url: str,
) -> None:
    database = Database.connect(chassis_db_url, pool_size=1, pre_ping=False)
    try:
        async with database.sessionmaker() as session:
            running = asyncio.create_task(driver_fetchrow(session, "SELECT pg_sleep(10), 'lost-mid-statement'"))
            # Up to 8 s of the statement's 10 for it to start. Each look is its own transaction:
            # PostgreSQL keeps a transaction's first view of pg_stat_activity, so looks repeated in
            # one transaction never saw a statement that started after the first of them.
            for _ in range(400):
                async with database.engine.begin() as conn:
                    killed = await conn.scalar(
                        text(
                            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                            "WHERE query LIKE '%''lost-mid-statement''%' AND pid <> pg_backend_pid()"
                        )
                    )
                if killed:
                    break
                await asyncio.sleep(0.02)
            with pytest.raises(DBAPIError) as raised:
                await running
            assert raised.value.connection_invalidated  # answered 503 by the problem handlers
        async with database.sessionmaker() as session:
            assert await driver_fetchrow(session, "SELECT 1 AS one") == {"one": 1}
    finally:
        await database.dispose()


async def test_driver_statements_use_a_pool_of_their_own_at_most_pool_size_and_closed_with_the_database(
    chassis_db_url: str,
) -> None:
    database = Database.connect(chassis_db_url, pool_size=2, pre_ping=False)
    try:
        pool = await driver_pool(database.engine)
        assert await driver_pool(database.engine) is pool
        assert pool.get_max_size() == 2
        assert pool.get_size() == 0

        async def held_pid() -> Any:
            async with database.sessionmaker() as session:
                return await driver_fetchrow(session, "SELECT pg_backend_pid() AS pid, pg_sleep(0.2)")

        rows = await asyncio.gather(*(held_pid() for _ in range(4)))
        assert len({row["pid"] for row in rows}) == 2  # four at once shared the two connections
        async with database.engine.connect() as conn:  # the engine's own connection is another one
            assert await conn.scalar(text("SELECT pg_backend_pid()")) not in {row["pid"] for row in rows}
            assert await conn.scalar(text("SHOW timezone")) == "UTC"
        async with database.sessionmaker() as session:
            assert await driver_fetchrow(session, "SELECT current_setting('timezone') AS tz") == {"tz": "UTC"}
    finally:
        await database.dispose()
    assert pool.is_closing()


async def test_no_connection_for_a_driver_statement_is_a_dbapi_error_the_handlers_answer_503(
    chassis_db_url: str,
) -> None:
    with socket.socket() as probe:  # a port just free: nothing listens there
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    closed_port = f"postgresql://postgres@127.0.0.1:{port}/aftersales"
    database = Database.connect(closed_port, pool_size=1, pre_ping=False)
    try:
        async with database.sessionmaker() as session:
            with pytest.raises(DBAPIError) as raised:
                await driver_fetchrow(session, "SELECT 1")
        assert raised.value.connection_invalidated
        assert database_unavailable(raised.value)
    finally:
        await database.dispose()


async def _driver_statements(database: Database, count: int) -> list[str]:
    """What ``count`` driver statements sent on the wire, the driver pool made afresh to log."""
    sent: list[str] = []

    async def init(driver: Any) -> None:
        driver.add_query_logger(lambda query: sent.append(query.query))

    await driver_pool(database.engine, init=init)
    for n in range(count):
        async with database.sessionmaker() as session:
            assert await driver_fetchrow(session, f"SELECT {n} AS n") == {"n": n}
    return sent


@pytest.mark.parametrize(
    ("pre_ping", "after_idle", "pinged"), [(True, 0.0, True), (True, 60.0, False), (False, 0.0, False)]
)
async def test_a_driver_connection_idle_past_the_window_is_pinged_first(
    chassis_db_url: str, pre_ping: bool, after_idle: float, pinged: bool
) -> None:
    database = Database.connect(chassis_db_url, pool_size=1, pre_ping=pre_ping, ping_after_idle=after_idle)
    try:
        sent = await _driver_statements(database, 3)
    finally:
        await database.dispose()
    ping = ["SELECT 1"] if pinged else []
    assert sent == ["SELECT 0 AS n", *ping, "SELECT 1 AS n", *ping, "SELECT 2 AS n"]  # a new connection: no ping


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
