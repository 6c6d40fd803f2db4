"""§5's 24 h call and E3's customer flag, as the use cases reviews' events will drive
(ReviewCallRequested, ReviewCaseClosed, CustomerFlagged): one call per case, withdrawn when
the case ends first; a flagged customer's tasks, open and new, show the flag."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime, timedelta

import httpx
from fastapi import FastAPI

from aftersales_chassis import ManualClock, Role
from aftersales_chassis.db import Database
from aftersales_chassis.testing import Tokens
from aftersales_sla import SlaClocks
from callcenter_service.callbacks.service import CallbackService
from callcenter_service.sla import POLICIES

from .kit import open_task, phone


@asynccontextmanager
async def _callbacks(app: FastAPI, database: Database, clock: ManualClock) -> AsyncIterator[CallbackService]:
    async with database.sessionmaker() as session, session.begin():
        calendar = await app.state.calendar_provider.current(session)
        yield CallbackService(session, clock, SlaClocks(session, calendar, POLICIES, clock.now()), app.state.settings)


async def test_a_review_call_is_due_24_h_after_the_review_once_and_withdrawn_when_the_case_ends(
    app: FastAPI, client: httpx.AsyncClient, tokens: Tokens, database: Database, clock: ManualClock
) -> None:
    case, number, reviewed = str(uuid.uuid4()), phone(), clock.now() - timedelta(hours=2)
    async with _callbacks(app, database, clock) as service:
        task = await service.review_call(case, number, reviewed, customer_id="C-7", order_id="TB-9")
        again = await service.review_call(case, number, reviewed, customer_id="C-7", order_id="TB-9")
    assert task is not None
    assert again is not None
    assert again.id == task.id
    got = (await client.get(f"/callbacks/{task.id}", headers=tokens.headers(Role.agent))).json()
    assert (got["kind"], got["source_step"], got["priority_class"]) == ("review_call", "W1", "high")
    assert datetime.fromisoformat(got["due_at"]) == reviewed + timedelta(hours=24)
    async with _callbacks(app, database, clock) as service:
        assert await service.review_case_closed(case, "amended") is True
        assert await service.review_case_closed(case, "amended") is False
    assert (await client.get(f"/callbacks/{task.id}", headers=tokens.headers(Role.agent))).json()[
        "state"
    ] == "withdrawn"


async def test_a_flagged_customer_shows_on_open_and_new_tasks(
    app: FastAPI, client: httpx.AsyncClient, tokens: Tokens, database: Database, clock: ManualClock
) -> None:
    customer = f"C-{uuid.uuid4().hex[:6]}"
    open_before = await open_task(client, tokens, "outreach", customer_id=customer)
    source = f"review-report:{uuid.uuid4()}"
    async with _callbacks(app, database, clock) as service:
        assert await service.flag_customer(source, customer, None, "malicious review reported (E2)") == 1
        assert await service.flag_customer(source, customer, None, "malicious review reported (E2)") == 0
    before = (await client.get(f"/callbacks/{open_before['id']}", headers=tokens.headers(Role.agent))).json()
    assert before["customer_flag"] == "malicious review reported (E2)"
    later = await open_task(client, tokens, "recommendation", customer_id=customer)
    assert later["customer_flag"] == "malicious review reported (E2)"
    other = await open_task(client, tokens, "recommendation", customer_id="C-unflagged")
    assert other["customer_flag"] is None
