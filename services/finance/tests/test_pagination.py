"""Every paginated list of the finance service: a cursor from the previous page gets the next
one; a bad cursor (malformed, or values that do not fit the list's sort key) is a 422 problem
naming `cursor`, never a 500."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime
from typing import Any

import httpx
import pytest
import pytest_asyncio

from aftersales_chassis import Role
from aftersales_chassis.testing import Tokens, assert_invalid_cursor, assert_next_page_differs, bad_cursors
from aftersales_events import ConsumerRunner
from aftersales_events.catalogue import tickets as tix
from aftersales_events.testing import consumer_record, wrap

from .kit import book
from .settlement.kit import feed, paid_order

TABLE = "/ledger/tables/abnormal_refunds/2019-05"

# Each list and the types of its sort key (what it passes to PageParams.after).
LISTS: dict[str, tuple[type[Any], ...]] = {
    "/ledger/accounts": (str,),
    "/ledger/balances": (str,),
    "/ledger/transactions": (datetime, uuid.UUID),
    "/ledger/periods": (date,),
    TABLE: (date, uuid.UUID),
    "/settlements": (date, str),
}
BAD = [
    pytest.param(path, cursor, id=f"{path}:{name}")
    for path, key in LISTS.items()
    for name, cursor in bad_cursors(*key).items()
]


def _abnormal(at: datetime) -> tix.AbnormalRefundApproved:
    return tix.AbnormalRefundApproved(
        case_id=uuid.uuid4(), abnormal_refund_id=uuid.uuid4(), order_id="TB-PAGE", amount_minor=300,
        currency="CNY", approved_by="sup", approved_at=at,
    )  # fmt: skip


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def two_of_each(client: httpx.AsyncClient, tokens: Tokens, runner: ConsumerRunner) -> AsyncIterator[None]:
    """At least two rows in every list, so each has a second page (the chart has many accounts)."""
    for month in (3, 4):  # two transactions, in two months of their own: two periods
        booked = await book(client, tokens, {"cash": 100, "sales": -100}, at=datetime(2019, month, 10, 4, tzinfo=UTC))
        assert booked.status_code == 201, booked.text
    for _ in range(2):  # two lines of an abnormal-refunds table
        assert await runner.process(consumer_record(wrap(_abnormal(datetime(2019, 5, 10, 4, tzinfo=UTC))))) == "applied"
    for _ in range(2):  # two settlements
        merchant = f"m-{uuid.uuid4().hex[:8]}"
        await feed(runner, *paid_order(f"{merchant}-A", merchant, 100, datetime(2019, 6, 10, 4, tzinfo=UTC)))
        drafted = await client.post(
            "/settlements", json={"merchant_id": merchant, "month": "2019-06"}, headers=tokens.headers(Role.finance)
        )
        assert drafted.status_code == 201, drafted.text
    yield


@pytest.mark.parametrize("path", list(LISTS))
@pytest.mark.usefixtures("two_of_each")
async def test_the_cursor_of_a_page_gets_the_next(client: httpx.AsyncClient, tokens: Tokens, path: str) -> None:
    await assert_next_page_differs(client, path, tokens.headers(Role.finance))


@pytest.mark.parametrize(("path", "cursor"), BAD)
async def test_a_bad_cursor_is_a_422_naming_it(
    client: httpx.AsyncClient, tokens: Tokens, path: str, cursor: str
) -> None:
    assert_invalid_cursor(await client.get(path, params={"cursor": cursor}, headers=tokens.headers(Role.finance)))
