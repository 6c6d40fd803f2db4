"""complaints_received_total{channel}, read off the service's /metrics as Prometheus scrapes it:
a new complaint counts once on its channel; a resend of the same channel message and a complaint
merged into an earlier one about the same order do not."""

from __future__ import annotations

import httpx
from fastapi import FastAPI
from prometheus_client.parser import text_string_to_metric_families

from aftersales_chassis import ManualClock
from aftersales_chassis.testing import Tokens

from ..kit import feed, hand_over, message, paid_order, unique


async def _received(client: httpx.AsyncClient) -> dict[str, float]:
    response = await client.get("/metrics")
    assert response.status_code == 200, response.text
    return {
        sample.labels["channel"]: sample.value
        for family in text_string_to_metric_families(response.text)
        if family.name == "complaints_received"
        for sample in family.samples
        if sample.name == "complaints_received_total"
    }


async def test_every_channel_has_a_series_from_the_start(client: httpx.AsyncClient) -> None:
    assert set(await _received(client)) == {"phone", "forum", "wechat", "weibo", "shop_chat", "email"}


async def test_a_new_complaint_counts_once_and_a_resend_does_not(client: httpx.AsyncClient, tokens: Tokens) -> None:
    before = await _received(client)
    body = message("shop_chat", order_id=unique("NOT-KNOWN"))
    await hand_over(client, tokens, body)
    after_new = await _received(client)
    assert after_new["shop_chat"] == before["shop_chat"] + 1
    assert {k: v for k, v in after_new.items() if k != "shop_chat"} == {
        k: v for k, v in before.items() if k != "shop_chat"
    }

    await hand_over(client, tokens, body, expect=200)  # the gateway resends the same message
    assert await _received(client) == after_new


async def test_a_complaint_merged_into_an_earlier_one_is_not_new_volume(
    app: FastAPI, client: httpx.AsyncClient, tokens: Tokens, clock: ManualClock
) -> None:
    order_id, customer = unique("TB"), unique("C")
    await feed(app, *paid_order(order_id, customer=customer, merchant="M-1", paid=3000, at=clock.now()))
    before = await _received(client)
    first = await hand_over(client, tokens, message("wechat", order_id=order_id))
    second = await hand_over(client, tokens, message("weibo", order_id=order_id, sender={"customer_id": customer}))
    assert second["merged_into"] == first["id"]
    after = await _received(client)
    assert (after["wechat"], after["weibo"]) == (before["wechat"] + 1, before["weibo"])
