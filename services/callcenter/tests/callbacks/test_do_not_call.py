"""Do-not-call closes every open task of the phone and blocks new ones, whatever the path."""

from __future__ import annotations

import httpx

from aftersales_chassis import Role
from aftersales_chassis.testing import Tokens

from .kit import open_task, phone


async def test_do_not_call_closes_open_tasks_and_refuses_new_ones(client: httpx.AsyncClient, tokens: Tokens) -> None:
    number = phone()
    first = await open_task(client, tokens, "outreach", phone=number)
    second = await open_task(client, tokens, "recommendation", phone=number)
    other = await open_task(client, tokens, "outreach")
    spelled = f"{number[:3]}-{number[3:7]} {number[7:]}"  # the same number, written another way
    registered = await client.post(
        "/do-not-call", json={"phone": spelled, "reason": "asked us to stop"}, headers=tokens.headers(Role.agent)
    )
    assert registered.status_code == 200, registered.text
    assert (registered.json()["phone"], registered.json()["closed_tasks"]) == (number, 2)
    for task in (first, second):
        closed = (await client.get(f"/callbacks/{task['id']}", headers=tokens.headers(Role.agent))).json()
        assert closed["state"] == "withdrawn"
    assert (await client.get(f"/callbacks/{other['id']}", headers=tokens.headers(Role.agent))).json()["state"] == "open"

    refused = await client.post(
        "/callbacks", json={"kind": "new_signup", "source": "signup:again", "phone": number},
        headers=tokens.headers(Role.service),
    )  # fmt: skip
    assert (refused.status_code, refused.json()["rule"]) == (422, "§7.2.do-not-call")
    again = await client.post(
        "/do-not-call", json={"phone": number, "reason": "second time"}, headers=tokens.headers(Role.supervisor)
    )
    assert (again.json()["reason"], again.json()["closed_tasks"]) == ("asked us to stop", 0)


async def test_do_not_call_roles(client: httpx.AsyncClient, tokens: Tokens) -> None:
    body = {"phone": phone(), "reason": "x"}
    assert (await client.post("/do-not-call", json=body)).status_code == 401
    for role in (Role.customer, Role.service, Role.warehouse):
        assert (await client.post("/do-not-call", json=body, headers=tokens.headers(role))).status_code == 403
