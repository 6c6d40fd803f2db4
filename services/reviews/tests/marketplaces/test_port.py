"""The marketplace port: the fake adapter runs only in dev and test, W3 goes out through it, and
an unknown adapter is refused by name."""

from __future__ import annotations

import httpx
import pytest
from fastapi import FastAPI
from pydantic import ValidationError

from aftersales_chassis import ManualClock
from aftersales_chassis.testing import Tokens
from reviews_service.marketplaces.port import FakeMarketplaces
from reviews_service.settings import ReviewsSettings

from ..kit import act, bad_case

REQUIRED = {"database_url": "postgresql://db/reviews", "jwt_secret": "x" * 32}


@pytest.mark.parametrize("environment", ["dev", "test"])
def test_the_fake_adapter_runs_in_dev_and_test(environment: str) -> None:
    assert ReviewsSettings(environment=environment, **REQUIRED).marketplace_adapter == "fake"


@pytest.mark.parametrize(("environment", "adapter"), [("production", "fake"), ("dev", "carrier-pigeon")])
def test_the_fake_adapter_is_refused_in_production_and_an_unknown_one_anywhere(environment: str, adapter: str) -> None:
    with pytest.raises(ValidationError, match="REVIEWS_MARKETPLACE_ADAPTER"):
        ReviewsSettings(environment=environment, marketplace_adapter=adapter, **REQUIRED)


async def test_asking_to_amend_goes_out_through_the_port(
    client: httpx.AsyncClient, tokens: Tokens, clock: ManualClock, app: FastAPI
) -> None:
    case = await bad_case(client, tokens, clock.now())
    await act(client, tokens, case["id"], "call", {"finding": "misunderstanding", "note": "x"})
    await act(client, tokens, case["id"], "answer")
    await act(client, tokens, case["id"], "ask-amend")
    port = app.state.marketplaces
    assert isinstance(port, FakeMarketplaces)
    assert ("taobao", case["review_id"], 1) in port.amendment_requests
