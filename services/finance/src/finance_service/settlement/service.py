"""Use cases of merchant settlement: draft (recomputable) → approved (frozen, by another
finance user) → booked (one balanced transaction, once per merchant and month). The states
and who may move them are the table of :mod:`.state`; the rules here are the rest."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from aftersales_calendar import BusinessCalendar
from aftersales_chassis import (
    Clock,
    Conflict,
    Forbidden,
    NotFound,
    Page,
    PageParams,
    Principal,
    Role,
    RuleViolation,
    page_of,
)
from aftersales_chassis.db_errors import CHECK_VIOLATION, DatabaseRefusals
from aftersales_sla import SlaClocks
from aftersales_workflow import TransitionOut

from ..chart import AccountCode as A
from ..ledger.booking import LedgerService, Leg
from ..ledger.repository import LedgerRepository
from ..merchants.repository import MerchantLedgerRepository
from ..months import month_of, month_start, next_month
from ..sla import POLICIES
from .models import Settlement, SettlementLine, SettlementOrder
from .plan import DEPOSIT_OFFSET, Plan, PlannedLine, plan_settlement
from .repository import SettlementRepository
from .schemas import OrderFormOut, SettlementDetail, SettlementLineOut, SettlementOut
from .state import SETTLEMENT_FLOW

CURRENCY = "CNY"
CSV_COLUMNS = ["merchant_id", "month", "status", "kind", "order_id", "deposit_id", "reason", "amount_minor"]
# The database freezes approved and booked settlements whatever the checks here saw (a
# stale read, a race): its refusal (finance_0005, named in finance_0009) is the 409, or
# the four-eyes 422, it means, not a 500; the detail is the database's own sentence.
DATABASE_RULES = DatabaseRefusals(
    {
        (CHECK_VIOLATION, "settlement_four_eyes"): lambda refused: RuleViolation(
            "settlement.four-eyes", refused.message
        ),
        (CHECK_VIOLATION, "settlement_status_flow"): lambda refused: Conflict(refused.message),
        (CHECK_VIOLATION, "settlement_frozen"): lambda refused: Conflict(refused.message),
    }
)


class SettlementService:
    def __init__(self, session: AsyncSession, clock: Clock, calendar: BusinessCalendar) -> None:
        self.session = session
        self.clock = clock
        self.zone = calendar.zone  # the business calendar's: where a month begins and ends
        self.repo = SettlementRepository(session)
        self.merchant_ledger = MerchantLedgerRepository(session)
        # Settlement moves no SLA clock; the runner takes the service's clocks all the same.
        self.flow = SETTLEMENT_FLOW.bind(session, clock, SlaClocks(session, calendar, POLICIES, clock.now()))

    async def _plan(self, merchant_id: str, month: date) -> Plan:
        end = month_start(next_month(month), self.zone)
        return plan_settlement(
            await self.repo.candidates(merchant_id, end),
            await self.repo.outstanding_deposits(merchant_id, end),
            owed=await self.merchant_ledger.owed_by_order(merchant_id),
            currency=CURRENCY,
            month_start=month_start(month, self.zone),
        )

    async def draft(self, merchant_id: str, month: date, actor: Principal) -> SettlementDetail:
        """Computes the draft (``open``), replacing an earlier draft (``recompute``); approved
        and booked ones are frozen (the one 409)."""
        month = month_of(month)
        if month >= month_of(self.clock.now().astimezone(self.zone).date()):
            raise RuleViolation("settlement.month-ended", f"{month:%Y-%m} has not ended yet")
        plan = await self._plan(merchant_id, month)
        settlement = await self.repo.for_month(merchant_id, month)
        if settlement is None:
            settlement = Settlement(id=uuid.uuid4(), merchant_id=merchant_id, month=month, currency=CURRENCY)
            await self.flow.create(settlement, actor)
            self.session.add(settlement)
        else:
            await self.flow.apply(settlement, "recompute", actor)
        settlement.created_by = actor.subject
        settlement.computed_at = self.clock.now()
        settlement.gross_minor = plan.gross_minor
        settlement.withheld_minor = plan.withheld_minor
        settlement.deposits_minor = plan.deposits_minor
        settlement.net_minor = plan.net_minor
        with DATABASE_RULES:
            await self.session.flush()
            await self.repo.replace_lines(settlement.id, plan.lines)
        return _detail(settlement, await self.repo.lines(settlement.id))

    async def draft_all(self, month: date, actor: Principal) -> int:
        """The 10th's run: a draft for every merchant with something to settle (frozen ones kept)."""
        drafted = 0
        for merchant_id in await self.repo.merchants_due(month_start(next_month(month), self.zone)):
            existing = await self.repo.for_month(merchant_id, month)
            if existing is None or "recompute" in self.flow.allowed_actions(existing):
                await self.draft(merchant_id, month, actor)
                drafted += 1
        return drafted

    async def approve(self, settlement_id: uuid.UUID, actor: Principal) -> SettlementDetail:
        settlement = await self._found(settlement_id, lock=True)
        self.flow.require(settlement, "approve")
        if settlement.created_by == actor.subject:
            raise RuleViolation("settlement.four-eyes", "the draft is approved by someone other than its creator")
        lines = await self.repo.lines(settlement.id)
        current = await self._plan(settlement.merchant_id, settlement.month)
        if current.signature() != {(x.kind, x.order_id, x.deposit_id, x.reason, x.amount_minor) for x in lines}:
            raise Conflict("the draft is out of date (orders, complaints or deposits changed): recompute it")
        orders = [x.order_id for x in lines if x.kind == "included" and x.order_id]
        deposits = [x.deposit_id for x in lines if x.kind == "deposit" and x.reason == DEPOSIT_OFFSET and x.deposit_id]
        owed = sum((await self.merchant_ledger.owed_by_order(settlement.merchant_id)).values())
        paid_out = settlement.net_minor + settlement.deposits_minor
        if paid_out > owed:
            raise RuleViolation(
                "settlement.within-payable",
                f"the settlement takes {paid_out} off the merchant's payable, which the ledger says is {owed}",
                payable_minor=owed,
            )
        with DATABASE_RULES:
            if not await self.repo.claim(settlement.id, orders, deposits):
                raise Conflict("an order or deposit of this draft was settled by another settlement: recompute it")
            await self.flow.apply(settlement, "approve", actor)
            settlement.approved_by, settlement.approved_at = actor.subject, self.clock.now()
            await self.session.flush()
        return _detail(settlement, lines)

    async def book(self, settlement_id: uuid.UUID, actor: Principal) -> SettlementDetail:
        """Dr merchant_payables (each included order, on the merchant's sub-ledger) /
        Cr cancellation_float (deposits) / Cr cash (net). Each included order's payable
        goes to zero: the ledger must still owe what was approved for it (a refund booked
        since the approval would otherwise be paid out: 409)."""
        settlement = await self._found(settlement_id, lock=True)
        self.flow.require(settlement, "book")
        included = {
            x.order_id: x.amount_minor
            for x in await self.repo.lines(settlement.id)
            if x.kind == "included" and x.order_id
        }
        owed = await self.merchant_ledger.owed_by_order(settlement.merchant_id, list(included))
        moved = sorted(order for order, amount in included.items() if owed.get(order, 0) != amount)
        if moved:
            raise Conflict(
                f"the ledger moved since the approval for orders {moved}: it no longer owes what was approved",
                orders=moved,
            )
        source = f"settlement:{settlement.merchant_id}:{settlement.month:%Y-%m}"
        booked = await LedgerService(self.session, self.clock, self.zone).book(
            source=source,
            description=f"Settlement of merchant {settlement.merchant_id} for {settlement.month:%Y-%m}",
            currency=settlement.currency,
            effective_at=self.clock.now(),
            legs=[
                *(
                    Leg(A.merchant_payables, amount, settlement.merchant_id, order)
                    for order, amount in sorted(included.items())
                ),
                Leg(A.cancellation_float, -settlement.deposits_minor),
                Leg(A.cash, -settlement.net_minor),
            ],
            details={"step": "§8", "settlement_id": str(settlement.id), "merchant_id": settlement.merchant_id},
        )
        settlement.transaction_id = (
            booked.id if booked else await LedgerRepository(self.session).transaction_id_by_source(source)
        )
        await self.flow.apply(settlement, "book", actor)
        settlement.booked_by, settlement.booked_at = actor.subject, self.clock.now()
        with DATABASE_RULES:
            await self.session.flush()
        return _detail(settlement, await self.repo.lines(settlement.id))

    async def get(self, settlement_id: uuid.UUID, viewer: Principal) -> SettlementDetail:
        settlement = await self._visible(settlement_id, viewer)
        return _detail(settlement, await self.repo.lines(settlement.id))

    async def history(self, settlement_id: uuid.UUID, viewer: Principal) -> list[TransitionOut]:
        """Every transition, oldest first; seen by whoever may see the settlement."""
        settlement = await self._visible(settlement_id, viewer)
        return await self.flow.history(settlement.id)

    async def list(
        self, page: PageParams, viewer: Principal, *, merchant_id: str | None, status: str | None
    ) -> Page[SettlementOut]:
        if not viewer.has(Role.finance):
            if viewer.merchant_id is None:
                raise Forbidden("a merchant token carries its merchant_id")
            merchant_id = viewer.merchant_id
        rows = await self.repo.page(page, merchant_id=merchant_id, status=status)
        return page_of(rows, page, key=lambda s: (s.month, s.merchant_id), item=_summary)

    async def csv_rows(
        self, settlement_id: uuid.UUID, viewer: Principal
    ) -> tuple[Settlement, Sequence[dict[str, Any]]]:
        """The settlement, and a row per line of its document (the columns: :data:`CSV_COLUMNS`)."""
        settlement = await self._visible(settlement_id, viewer)
        rows = [
            {
                "merchant_id": settlement.merchant_id,
                "month": f"{settlement.month:%Y-%m}",
                "status": settlement.status,
                "kind": line.kind,
                "order_id": line.order_id,
                "deposit_id": line.deposit_id,
                "reason": line.reason,
                "amount_minor": line.amount_minor,
            }
            for line in await self.repo.lines(settlement.id)
        ]
        return settlement, rows

    async def mark_order_form(self, order_id: str, *, missing: bool, note: str | None) -> OrderFormOut:
        """Finance records whether an order's form is missing (a draft picks it up when recomputed)."""
        order = await self.repo.order(order_id)
        if order is None:
            order = SettlementOrder(order_id=order_id, updated_at=self.clock.now())
            self.session.add(order)
        if order.settlement_id is not None:
            raise Conflict(f"order {order_id} is already settled")
        order.order_form_missing, order.order_form_note = missing, note
        await self.session.flush()
        return OrderFormOut(order_id=order_id, order_form_missing=missing, order_form_note=note)

    async def _found(self, settlement_id: uuid.UUID, *, lock: bool = False) -> Settlement:
        settlement = await self.repo.get(settlement_id, lock=lock)
        if settlement is None:
            raise NotFound(f"settlement {settlement_id} does not exist", resource="settlement")
        return settlement

    async def _visible(self, settlement_id: uuid.UUID, viewer: Principal) -> Settlement:
        settlement = await self._found(settlement_id)
        if not viewer.has(Role.finance) and settlement.merchant_id != viewer.merchant_id:
            raise NotFound(f"settlement {settlement_id} does not exist", resource="settlement")
        return settlement


def _summary(s: Settlement) -> SettlementOut:
    return SettlementOut.model_validate(s, from_attributes=True)


def _detail(s: Settlement, lines: list[SettlementLine] | list[PlannedLine]) -> SettlementDetail:
    out = [SettlementLineOut.model_validate(x, from_attributes=True) for x in lines]
    return SettlementDetail(
        **_summary(s).model_dump(),
        included=[x for x in out if x.kind == "included"],
        excluded=[x for x in out if x.kind == "excluded"],
        offsets=[x for x in out if x.kind in ("withheld", "deposit")],
    )
