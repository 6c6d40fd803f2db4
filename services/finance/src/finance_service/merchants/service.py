"""A merchant's payable balance and statement: finance reads any merchant's, a merchant
(role ``merchant``, claim ``merchant_id``) only its own."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from aftersales_chassis import Forbidden, NotFound, Page, PageParams, Principal, Role, page_of

from .repository import MerchantLedgerRepository, StatementRow
from .schemas import MerchantBalanceOut, StatementLineOut

CURRENCY = "CNY"  # merchant_payables' currency (settlements are in CNY, ADR 0008)


def check_own(viewer: Principal, merchant_id: str) -> None:
    """Finance reads every merchant; a merchant only itself (403 otherwise: the id is in the path)."""
    if viewer.has(Role.finance):
        return
    if viewer.merchant_id is None:
        raise Forbidden("a merchant token carries its merchant_id")
    if viewer.merchant_id != merchant_id:
        raise Forbidden("a merchant reads only its own balance and statement")


class MerchantLedger:
    def __init__(self, session: AsyncSession) -> None:
        self.repo = MerchantLedgerRepository(session)

    async def _known(self, merchant_id: str, viewer: Principal) -> None:
        check_own(viewer, merchant_id)
        if not await self.repo.known(merchant_id):
            raise NotFound(f"the ledger has nothing for merchant {merchant_id}", resource="merchant")

    async def balance(self, merchant_id: str, viewer: Principal) -> MerchantBalanceOut:
        await self._known(merchant_id, viewer)
        owed = {order: amount for order, amount in (await self.repo.owed_by_order(merchant_id)).items() if amount}
        return MerchantBalanceOut(
            merchant_id=merchant_id,
            currency=CURRENCY,
            owed_minor=sum(owed.values()),
            orders_owed=len([order for order in owed if order]),
            by_order=owed,
        )

    async def statement(self, merchant_id: str, viewer: Principal, page: PageParams) -> Page[StatementLineOut]:
        await self._known(merchant_id, viewer)
        rows = await self.repo.statement(merchant_id, limit=page.fetch_size, after=page.after(int))
        return page_of(rows, page, key=lambda row: (row.posting_id,), item=_line)


def _line(row: StatementRow) -> StatementLineOut:
    return StatementLineOut(
        posting_id=row.posting_id,
        transaction_id=row.transaction_id,
        source=row.source,
        description=row.description,
        step=row.step,
        accounting_date=row.accounting_date,
        booked_at=row.booked_at,
        order_id=row.order_id,
        amount_minor=row.amount_minor,
        owed_change_minor=-row.amount_minor,
        currency=row.currency,
    )
