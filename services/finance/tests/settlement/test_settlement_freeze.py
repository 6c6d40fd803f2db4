"""Approved and booked settlements are frozen in the database itself (finance_0005): raw
SQL cannot edit, delete or move them back, nor touch their lines or their claims; drafts
stay recomputable; the service turns a refusal it did not foresee into a 409."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from alembic import command
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import create_async_engine

from aftersales_calendar import default_calendar
from aftersales_chassis import Conflict, DomainError, ManualClock, Principal, Role, RuleViolation
from aftersales_chassis.db import Database
from aftersales_chassis.migrate import alembic_config, upgrade
from aftersales_chassis.settings import asyncpg_url
from aftersales_chassis.testing import Tokens
from aftersales_events import ConsumerRunner
from finance_service.settlement.models import Settlement
from finance_service.settlement.service import DATABASE_RULES, SettlementService

from .kit import cancelled, deposit_cancelled, feed, paid_order

OCTOBER = datetime(2026, 10, 12, 3, tzinfo=UTC)
FUNCTIONS = {"settlement_guard", "settlement_lines_frozen", "settlement_claim_frozen", "settlement_no_truncate"}


def _alice(tokens: Tokens) -> dict[str, str]:
    return tokens.headers(Role.finance, subject="alice")


def _bob(tokens: Tokens) -> dict[str, str]:
    return tokens.headers(Role.finance, subject="bob")


async def _draft(runner: ConsumerRunner, client: httpx.AsyncClient, tokens: Tokens) -> dict[str, Any]:
    """A draft with an included order (A), an excluded one (B, cancelled) and a deposit offset."""
    merchant = f"m-{uuid.uuid4().hex[:8]}"
    await feed(
        runner,
        *paid_order(f"{merchant}-A", merchant, 1000, OCTOBER),
        *paid_order(f"{merchant}-B", merchant, 500, OCTOBER),
        cancelled(f"{merchant}-B", merchant, OCTOBER),
        deposit_cancelled(merchant, 300, OCTOBER),
    )
    response = await client.post(
        "/settlements", json={"merchant_id": merchant, "month": "2026-10"}, headers=_alice(tokens)
    )
    assert response.status_code == 201, response.text
    return response.json()


async def _approved(runner: ConsumerRunner, client: httpx.AsyncClient, tokens: Tokens) -> dict[str, Any]:
    draft = await _draft(runner, client, tokens)
    approved = await client.post(f"/settlements/{draft['id']}/approve", headers=_bob(tokens))
    assert approved.status_code == 200, approved.text
    return approved.json()


async def _booked(runner: ConsumerRunner, client: httpx.AsyncClient, tokens: Tokens) -> dict[str, Any]:
    approved = await _approved(runner, client, tokens)
    booked = await client.post(f"/settlements/{approved['id']}/book", headers=_alice(tokens))
    assert booked.status_code == 200, booked.text
    return booked.json()


async def _raw(database: Database, statement: str, settlement_id: str) -> int:
    async with database.sessionmaker() as session, session.begin():
        result = await session.execute(text(statement), {"id": uuid.UUID(settlement_id)})
        return result.rowcount  # type: ignore[attr-defined]


async def _claims(database: Database, settlement_id: str) -> tuple[int, int]:
    async with database.sessionmaker() as session:
        ids = {"id": uuid.UUID(settlement_id)}
        orders = await session.scalar(text("SELECT count(*) FROM settlement_orders WHERE settlement_id = :id"), ids)
        deposits = await session.scalar(text("SELECT count(*) FROM settlement_deposits WHERE settlement_id = :id"), ids)
        return orders, deposits


async def _lines(database: Database, settlement_id: str) -> int:
    async with database.sessionmaker() as session:
        query = text("SELECT count(*) FROM settlement_lines WHERE settlement_id = :id")
        return await session.scalar(query, {"id": uuid.UUID(settlement_id)}) or 0


CLAIMS = "it is frozen, so are its claims on"
LINE = "INSERT INTO settlement_lines (settlement_id, kind, order_id, amount_minor) VALUES (:id, 'included', 'x', 1)"
FROZEN_EITHER_WAY = [
    ("UPDATE settlements SET net_minor = net_minor + 1 WHERE id = :id", "it is frozen"),
    ("UPDATE settlements SET gross_minor = 0, withheld_minor = 0 WHERE id = :id", "it is frozen"),
    ("UPDATE settlements SET status = 'draft' WHERE id = :id", "it is frozen"),
    ("UPDATE settlements SET approved_by = 'mallory' WHERE id = :id", "it is frozen"),
    ("DELETE FROM settlements WHERE id = :id", "it is frozen"),
    (LINE, "it is frozen, its lines too"),
    ("UPDATE settlement_lines SET amount_minor = 0 WHERE settlement_id = :id", "it is frozen, its lines too"),
    ("UPDATE settlement_lines SET kind = 'excluded' WHERE settlement_id = :id", "it is frozen, its lines too"),
    ("DELETE FROM settlement_lines WHERE settlement_id = :id", "it is frozen, its lines too"),
    ("UPDATE settlement_orders SET settlement_id = NULL WHERE settlement_id = :id", f"{CLAIMS} settlement_orders"),
    ("UPDATE settlement_deposits SET settlement_id = NULL WHERE settlement_id = :id", f"{CLAIMS} settlement_deposits"),
    ("DELETE FROM settlement_orders WHERE settlement_id = :id", f"{CLAIMS} settlement_orders"),
]


@pytest.mark.parametrize(("statement", "rule"), FROZEN_EITHER_WAY)
async def test_an_approved_settlement_is_frozen(
    runner: ConsumerRunner, client: httpx.AsyncClient, tokens: Tokens, database: Database, statement: str, rule: str
) -> None:
    approved = await _approved(runner, client, tokens)
    with pytest.raises(DBAPIError, match=f"settlement {approved['id']} is approved: {rule}"):
        await _raw(database, statement, approved["id"])
    assert (await client.get(f"/settlements/{approved['id']}", headers=_alice(tokens))).json() == approved
    assert await _claims(database, approved["id"]) == (1, 1)


@pytest.mark.parametrize(
    ("statement", "rule"),
    [
        (
            "UPDATE settlements SET status = 'booked' WHERE id = :id",
            "is booked with booked_by, booked_at and transaction",
        ),
        (
            "UPDATE settlements SET status = 'booked', booked_by = 'x', booked_at = now(), net_minor = 0,"
            " transaction_id = (SELECT id FROM ledger_transactions LIMIT 1) WHERE id = :id",
            "is booked as approved: booking sets only",
        ),
    ],
)
async def test_booking_sets_only_its_own_columns(
    runner: ConsumerRunner, client: httpx.AsyncClient, tokens: Tokens, database: Database, statement: str, rule: str
) -> None:
    approved = await _approved(runner, client, tokens)
    with pytest.raises(DBAPIError, match=f"settlement {approved['id']} {rule}"):
        await _raw(database, statement, approved["id"])


@pytest.mark.parametrize(
    ("statement", "rule"),
    [
        *FROZEN_EITHER_WAY,
        ("UPDATE settlements SET status = 'approved' WHERE id = :id", "it is frozen"),
        ("UPDATE settlements SET booked_by = 'mallory' WHERE id = :id", "it is frozen"),
        ("UPDATE settlements SET transaction_id = NULL WHERE id = :id", "it is frozen"),
    ],
)
async def test_a_booked_settlement_is_frozen(
    runner: ConsumerRunner, client: httpx.AsyncClient, tokens: Tokens, database: Database, statement: str, rule: str
) -> None:
    booked = await _booked(runner, client, tokens)
    with pytest.raises(DBAPIError, match=f"settlement {booked['id']} is booked: {rule}"):
        await _raw(database, statement, booked["id"])
    assert (await client.get(f"/settlements/{booked['id']}", headers=_alice(tokens))).json() == booked
    assert await _claims(database, booked["id"]) == (1, 1)


async def test_frozen_settlements_are_not_truncated(
    runner: ConsumerRunner, client: httpx.AsyncClient, tokens: Tokens, database: Database
) -> None:
    approved = await _approved(runner, client, tokens)
    with pytest.raises(
        DBAPIError, match="settlement_lines is not truncated: approved and booked settlements are frozen"
    ):
        await _raw(database, "TRUNCATE settlement_lines", approved["id"])


@pytest.mark.parametrize(
    ("statement", "rule"),
    [
        (
            "UPDATE settlements SET status = 'booked', booked_by = 'x', booked_at = now() WHERE id = :id",
            "is a draft: it is approved before it is booked",
        ),
        (
            "UPDATE settlements SET status = 'approved', approved_by = created_by, approved_at = now() WHERE id = :id",
            "is approved by someone other than its creator",
        ),
        (
            "UPDATE settlements SET status = 'approved', approved_by = 'bob' WHERE id = :id",
            "is approved with approved_by and approved_at",
        ),
        (
            "UPDATE settlements SET status = 'approved', approved_by = 'bob', approved_at = now(),"
            " net_minor = net_minor + 1 WHERE id = :id",
            "is approved as drafted: approval sets only status, approved_by and approved_at",
        ),
        (
            "INSERT INTO settlements (id, merchant_id, month, currency, status, gross_minor, withheld_minor,"
            " deposits_minor, net_minor, created_by, computed_at, approved_by, approved_at)"
            " SELECT gen_random_uuid(), merchant_id, month - 31, currency, 'approved', gross_minor, withheld_minor,"
            " deposits_minor, net_minor, created_by, computed_at, 'bob', now() FROM settlements WHERE id = :id",
            "starts as a draft, not approved",
        ),
    ],
)
async def test_a_draft_moves_only_to_approved_by_another_user(
    runner: ConsumerRunner, client: httpx.AsyncClient, tokens: Tokens, database: Database, statement: str, rule: str
) -> None:
    draft = await _draft(runner, client, tokens)
    with pytest.raises(DBAPIError, match=rf"settlement [0-9a-f-]{{36}} {rule}"):
        await _raw(database, statement, draft["id"])


async def test_a_draft_stays_recomputable_and_deletable(
    runner: ConsumerRunner, client: httpx.AsyncClient, tokens: Tokens, database: Database
) -> None:
    first = await _draft(runner, client, tokens)
    merchant = first["merchant_id"]
    # Recomputed through the API: the same document, its lines replaced.
    await feed(runner, *paid_order(f"{merchant}-C", merchant, 200, OCTOBER))
    again = await client.post(
        "/settlements", json={"merchant_id": merchant, "month": "2026-10"}, headers=_alice(tokens)
    )
    assert again.status_code == 201, again.text
    second = again.json()
    assert second["id"] == first["id"]
    assert {x["order_id"] for x in second["included"]} == {f"{merchant}-A", f"{merchant}-C"}
    assert (second["gross_minor"], second["net_minor"]) == (1200, 900)
    # Raw SQL may edit a draft, its lines, and delete it (the lines go with it).
    assert await _raw(database, "UPDATE settlements SET net_minor = 0 WHERE id = :id", first["id"]) == 1
    assert await _raw(database, LINE, first["id"]) == 1
    assert await _raw(database, "UPDATE settlement_lines SET reason = 'x' WHERE settlement_id = :id", first["id"]) == 5
    # The draft is recomputed over the edits, then approved and booked as usual.
    third = (
        await client.post("/settlements", json={"merchant_id": merchant, "month": "2026-10"}, headers=_alice(tokens))
    ).json()
    assert third["id"] == first["id"]
    assert (third["net_minor"], len(third["included"])) == (900, 2)
    approved = await client.post(f"/settlements/{first['id']}/approve", headers=_bob(tokens))
    assert approved.status_code == 200, approved.text
    booked = await client.post(f"/settlements/{first['id']}/book", headers=_alice(tokens))
    assert booked.status_code == 200, booked.text
    assert booked.json()["status"] == "booked"

    other = await _draft(runner, client, tokens)
    assert await _raw(database, "DELETE FROM settlements WHERE id = :id", other["id"]) == 1
    assert await _lines(database, other["id"]) == 0


async def test_the_service_answers_a_refusal_it_did_not_foresee_with_409(
    runner: ConsumerRunner, client: httpx.AsyncClient, tokens: Tokens, database: Database
) -> None:
    draft = await _draft(runner, client, tokens)
    async with database.sessionmaker() as session:
        # This session read the settlement as a draft; another one approves it meanwhile.
        stale = await session.get(Settlement, uuid.UUID(draft["id"]))
        assert stale is not None
        assert stale.status == "draft"
        approved = await client.post(f"/settlements/{draft['id']}/approve", headers=_bob(tokens))
        assert approved.status_code == 200, approved.text
        service = SettlementService(session, ManualClock(datetime.now(UTC)), default_calendar())
        carol = Principal(subject="carol", roles=frozenset({Role.finance}))
        with pytest.raises(Conflict, match=f"settlement {draft['id']} is approved: it is frozen"):
            await service.draft(draft["merchant_id"], OCTOBER.date(), carol)
        await session.rollback()
    assert (await client.get(f"/settlements/{draft['id']}", headers=_alice(tokens))).json() == approved.json()


async def _refused(database: Database, statement: str, settlement_id: str) -> None:
    """Runs ``statement`` inside the service's translator of database refusals, never committed."""
    async with database.sessionmaker() as session:
        with DATABASE_RULES:
            await session.execute(text(statement), {"id": uuid.UUID(settlement_id)})


@pytest.mark.parametrize(
    ("statement", "error", "status"),
    [
        (
            "UPDATE settlements SET status = 'approved', approved_by = created_by, approved_at = now() WHERE id = :id",
            RuleViolation,
            422,
        ),
        ("UPDATE settlements SET status = 'booked', booked_by = 'x', booked_at = now() WHERE id = :id", Conflict, 409),
        ("UPDATE settlements SET status = 'approved', approved_by = 'bob' WHERE id = :id", Conflict, 409),
    ],
    ids=["four-eyes", "approved-before-booked", "approval-columns"],
)
async def test_the_database_refusals_of_a_draft_are_keyed_by_their_constraint(
    runner: ConsumerRunner,
    client: httpx.AsyncClient,
    tokens: Tokens,
    database: Database,
    statement: str,
    error: type[DomainError],
    status: int,
) -> None:
    draft = await _draft(runner, client, tokens)
    with pytest.raises(error) as refused:
        await _refused(database, statement, draft["id"])
    assert refused.value.status == status
    assert refused.value.detail.startswith(f"settlement {draft['id']} ")  # the database's own sentence
    assert isinstance(refused.value.__cause__, DBAPIError)
    if error is RuleViolation:
        assert refused.value.extensions == {"rule": "settlement.four-eyes"}


async def test_a_frozen_settlement_is_the_conflict_and_an_unnamed_refusal_passes_through(
    runner: ConsumerRunner, client: httpx.AsyncClient, tokens: Tokens, database: Database
) -> None:
    approved = await _approved(runner, client, tokens)
    with pytest.raises(Conflict, match=f"settlement {approved['id']} is approved: it is frozen, its lines too"):
        await _refused(database, LINE, approved["id"])
    # The truncate guard names no constraint: not the service's to translate.
    with pytest.raises(DBAPIError, match="is not truncated"):
        await _refused(database, "TRUNCATE settlement_lines", approved["id"])


async def _installed(url: str) -> tuple[set[str], set[str]]:
    engine = create_async_engine(asyncpg_url(url))
    try:
        async with engine.connect() as conn:
            functions = await conn.scalars(
                text("SELECT proname FROM pg_proc WHERE proname = ANY(:names)"), {"names": list(FUNCTIONS)}
            )
            triggers = await conn.scalars(
                text(
                    "SELECT tgname FROM pg_trigger"
                    " WHERE NOT tgisinternal AND tgrelid::regclass::text LIKE 'settlement%'"
                )
            )
            return set(functions), set(triggers)
    finally:
        await engine.dispose()


async def test_migration_downgrades_and_upgrades_again(service_database_url: Callable[..., str]) -> None:
    url = service_database_url("finance", suffix="freeze")
    functions, triggers = await _installed(url)
    assert functions == FUNCTIONS
    assert {"settlements_frozen", "settlement_lines_frozen_insert", "settlement_orders_claim_frozen"} <= triggers
    assert len(triggers) == 10
    await asyncio.to_thread(command.downgrade, alembic_config("finance", url), "finance_0004")
    assert await _installed(url) == (set(), set())
    await asyncio.to_thread(upgrade, "finance", url)
    assert await _installed(url) == (functions, triggers)
