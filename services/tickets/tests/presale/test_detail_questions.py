"""A3 (seed 002): a question about a detail not on the product page is answered within 24 h,
and the answer records when and how the customer was told. The clock is driven, never slept."""

from __future__ import annotations

from datetime import timedelta

import httpx
from fastapi import FastAPI

from aftersales_chassis import ManualClock, Role
from aftersales_chassis.testing import Tokens

from ..kit import clocks_of, events_of, unique
from .kit import asked, chat


async def test_answered_within_24_hours_the_clock_is_met_and_the_telling_recorded(
    client: httpx.AsyncClient, tokens: Tokens, clock: ManualClock
) -> None:
    made = await asked(client, tokens, chat(unique("C"), "2026-11-24T10:00:00+08:00"))
    path, agent = f"/inquiries/{made['id']}", tokens.headers(Role.agent, subject="alice")
    question = {"question": "杯口直径是多少？", "promised_via": "chat"}
    asked_detail = await client.post(f"{path}/detail-question", json=question, headers=agent)
    assert asked_detail.status_code == 200, asked_detail.text
    assert asked_detail.json()["state"] == "open"  # the question does not change the inquiry's state
    clocks = await clocks_of(client, tokens, made["id"])
    assert (clocks["A3"]["due_at"], clocks["A3"]["status"]) == ("2026-11-25T02:00:00Z", "open")
    again = await client.post(f"{path}/detail-question", json=question, headers=agent)
    assert (again.status_code, again.json()["rule"]) == (409, "A3.one-question-at-a-time")

    clock.advance(timedelta(hours=23, minutes=59))
    told = "2026-11-25T09:30:00+08:00"
    answered = await client.post(f"{path}/detail-answer", json={"answer": "8.5 cm", "told_via": "sms", "told_at": told},
                                 headers=agent)  # fmt: skip
    assert answered.status_code == 200, answered.text
    out = answered.json()
    assert (out["detail_answer"], out["customer_told_via"], out["customer_told_at"], out["detail_answered_by"]) == (
        "8.5 cm", "sms", "2026-11-25T01:30:00Z", "alice",
    )  # fmt: skip
    assert (out["detail_promised_via"], out["detail_question"]) == ("chat", "杯口直径是多少？")
    clocks = await clocks_of(client, tokens, made["id"])
    assert (clocks["A3"]["status"], clocks["A3"]["outcome"]) == ("met", "met")
    twice = await client.post(f"{path}/detail-answer", json={"answer": "x", "told_via": "chat"}, headers=agent)
    assert (twice.status_code, twice.json()["rule"]) == (409, "A3.question-pending")


async def test_answered_after_24_hours_the_clock_is_breached(
    app: FastAPI, client: httpx.AsyncClient, tokens: Tokens, clock: ManualClock
) -> None:
    made = await asked(client, tokens, chat(unique("C"), "2026-11-24T10:00:00+08:00"))
    path, agent = f"/inquiries/{made['id']}", tokens.headers(Role.agent, subject="alice")
    await client.post(
        f"{path}/detail-question", json={"question": "面料成分？", "promised_via": "phone"}, headers=agent
    )
    clock.advance(timedelta(hours=24, seconds=1))
    await app.state.sla_scheduler.tick()
    assert [e["step"] for e in await events_of(app, made["id"], "SlaBreached")] == ["A3"]
    answered = await client.post(f"{path}/detail-answer", json={"answer": "100% 棉", "told_via": "phone"},
                                 headers=agent)  # fmt: skip
    assert answered.status_code == 200
    assert answered.json()["customer_told_at"] == "2026-11-25T02:00:01Z"  # default: now
    clocks = await clocks_of(client, tokens, made["id"])
    assert (clocks["A3"]["status"], clocks["A3"]["outcome"]) == ("breached", "breached")
    assert len(await events_of(app, made["id"], "SlaBreached")) == 1  # announced once


async def test_only_staff_ask_and_answer_and_the_telling_is_not_before_the_question(
    client: httpx.AsyncClient, tokens: Tokens
) -> None:
    made = await asked(client, tokens, chat(unique("C"), "2026-11-24T10:00:00+08:00"))
    path = f"/inquiries/{made['id']}"
    question = {"question": "尺寸？", "promised_via": "chat"}
    for role in (Role.customer, Role.warehouse, Role.finance):
        assert (
            await client.post(f"{path}/detail-question", json=question, headers=tokens.headers(role))
        ).status_code == 403
    assert (
        await client.post(f"{path}/detail-question", json=question, headers=tokens.headers(Role.supervisor))
    ).status_code == 200
    too_early = {"answer": "x", "told_via": "chat", "told_at": "2026-11-24T09:00:00+08:00"}
    early = await client.post(f"{path}/detail-answer", headers=tokens.headers(Role.agent), json=too_early)
    assert (early.status_code, early.json()["rule"], early.json()["field"]) == (
        422, "A3.told-after-question", "body.told_at",
    )  # fmt: skip
    bad_via = await client.post(f"{path}/detail-answer", headers=tokens.headers(Role.agent),
                                json={"answer": "x", "told_via": "pigeon"})  # fmt: skip
    assert bad_via.status_code == 422
    assert bad_via.json()["errors"][0]["field"] == "body.told_via"
