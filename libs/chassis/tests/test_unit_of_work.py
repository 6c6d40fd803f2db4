"""One commit per request: the row and its outbox event together or neither; Idempotency-Key."""

from __future__ import annotations

import asyncio
import json
import uuid

import pytest
from aiokafka import AIOKafkaConsumer, TopicPartition
from sqlalchemy import func, select

from aftersales_chassis import Role
from aftersales_chassis.tables import idempotency_keys
from aftersales_chassis.testing import eventually
from aftersales_events import outbox

from .kit import Harness, widgets


def _name() -> str:
    return f"w-{uuid.uuid4().hex[:10]}"


async def _count(harness: Harness, name: str) -> tuple[int, int]:
    """(widget rows, outbox rows) for a widget name (the event's subject)."""
    async with harness.sessionmaker() as session:
        rows = await session.scalar(select(func.count()).select_from(widgets).where(widgets.c.name == name))
        events = await session.scalar(select(func.count()).select_from(outbox).where(outbox.c.message_key == name))
        return int(rows or 0), int(events or 0)


async def test_create_commits_row_and_event_and_the_relay_publishes_it(harness: Harness) -> None:
    name = _name()
    body = {"name": name, "quantity": 2}
    response = await harness.client.post("/widgets", json=body, headers=harness.auth(Role.agent))
    assert response.status_code == 201, response.text
    assert await _count(harness, name) == (1, 1)
    event_id = response.json()["event_id"]

    async def published() -> bool:
        async with harness.sessionmaker() as session:
            query = select(outbox.c.published_at).where(outbox.c.event_id == uuid.UUID(event_id))
            return await session.scalar(query) is not None

    await eventually(published, message="the lifespan's relay publishing the outbox row")

    consumer = AIOKafkaConsumer(bootstrap_servers=harness.kafka_bootstrap, group_id=None)
    await consumer.start()
    try:
        topic = f"{harness.service}.events"
        tps = [TopicPartition(topic, p) for p in consumer.partitions_for_topic(topic) or {0, 1, 2}]
        consumer.assign(tps)
        await consumer.seek_to_beginning(*tps)
        found: list[dict[str, object]] = []

        async def seen() -> bool:
            for batch in (await consumer.getmany(timeout_ms=100)).values():
                found.extend(json.loads(r.value) for r in batch if r.key == name.encode())
            return bool(found)

        await eventually(seen, message="the event on the service topic")
    finally:
        await consumer.stop()
    assert found[0]["id"] == event_id
    assert found[0]["type"] == f"aftersales.{harness.service}.WidgetCreated.v1"
    assert found[0]["data"] == {"widget_id": response.json()["id"], "name": name}
    assert found[0]["correlationid"] == response.headers["x-correlation-id"]


async def test_domain_error_after_writing_rolls_everything_back(harness: Harness) -> None:
    name = _name()
    response = await harness.client.post(
        "/widgets/doomed",
        json={"name": name, "quantity": 1},
        headers={**harness.auth(Role.agent), "Idempotency-Key": f"k-{name}"},
    )
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["type"].endswith("/rule-violation")
    assert response.json()["rule"] == "W1"
    assert await _count(harness, name) == (0, 0)
    async with harness.sessionmaker() as session:  # a failed request leaves no key behind
        query = select(func.count()).select_from(idempotency_keys).where(idempotency_keys.c.key == f"k-{name}")
        keys = await session.scalar(query)
    assert keys == 0


async def test_same_key_and_body_replays_the_first_response(harness: Harness) -> None:
    name = _name()
    headers = {**harness.auth(Role.agent), "Idempotency-Key": f"k-{name}"}
    first = await harness.client.post("/widgets", json={"name": name, "quantity": 3}, headers=headers)
    second = await harness.client.post("/widgets", json={"name": name, "quantity": 3}, headers=headers)
    assert first.status_code == second.status_code == 201
    assert "idempotent-replayed" not in first.headers
    assert second.headers["idempotent-replayed"] == "true"
    assert second.json() == first.json()
    assert await _count(harness, name) == (1, 1)

    # Keys are per principal: another user's identical key is a different request.
    other = {**harness.auth(Role.agent, subject="u-2"), "Idempotency-Key": f"k-{name}"}
    third = await harness.client.post("/widgets", json={"name": name, "quantity": 3}, headers=other)
    assert third.status_code == 201
    assert "idempotent-replayed" not in third.headers
    assert await _count(harness, name) == (2, 2)


async def test_same_key_with_a_different_body_is_refused(harness: Harness) -> None:
    name = _name()
    headers = {**harness.auth(Role.agent), "Idempotency-Key": f"k-{name}"}
    first = await harness.client.post("/widgets", json={"name": name, "quantity": 1}, headers=headers)
    assert first.status_code == 201
    reused = await harness.client.post("/widgets", json={"name": name, "quantity": 9}, headers=headers)
    assert reused.status_code == 422
    assert reused.headers["content-type"] == "application/problem+json"
    assert reused.json()["type"].endswith("idempotency-key-reused")
    assert await _count(harness, name) == (1, 1)


async def test_concurrent_requests_with_one_key_have_one_effect(harness: Harness) -> None:
    name = _name()
    headers = {**harness.auth(Role.agent), "Idempotency-Key": f"k-{name}"}
    responses = await asyncio.gather(
        *(harness.client.post("/widgets", json={"name": name, "quantity": 4}, headers=headers) for _ in range(6))
    )
    assert [r.status_code for r in responses] == [201] * 6
    assert len({r.text for r in responses}) == 1
    assert sum("idempotent-replayed" not in r.headers for r in responses) == 1
    assert await _count(harness, name) == (1, 1)


async def test_the_relay_is_woken_only_by_a_request_that_recorded_events(
    harness: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    woken: list[bool] = []
    relay = harness.app.state.relay
    real_wake = relay.wake

    def counting_wake() -> None:
        woken.append(True)
        real_wake()

    monkeypatch.setattr(relay, "wake", counting_wake)
    quiet = await harness.client.post("/widgets/approve-refund", headers=harness.auth(Role.supervisor))
    assert quiet.status_code == 200, quiet.text
    assert woken == []  # a mutating request that wrote no outbox row costs the relay no poll
    body = {"name": _name(), "quantity": 1}
    made = await harness.client.post("/widgets", json=body, headers=harness.auth(Role.agent))
    assert made.status_code == 201, made.text
    assert woken == [True]
