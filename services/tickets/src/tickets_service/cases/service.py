"""Use cases of the after-sale case up to its remedy (PROCESSES.md §3): C1 → C2, K1 → K2,
P1 → P2 → P2B1 → P2B2 → P2B3 / P2A1 → P2A2, closing, and reading (staff and the customer's
own view). Remedies (C3 …) are in remedies.py, evidence in evidence.py. Methods only flush."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime

from aftersales_chassis import Forbidden, Page, PageParams, Principal, RuleViolation, page_of
from aftersales_chassis.db_errors import UNIQUE_VIOLATION, DatabaseRefusals
from aftersales_chassis.errors import Conflict
from aftersales_events.catalogue import tickets as ev
from aftersales_workflow import TransitionOut

from ..flags.service import FlagService
from . import schemas
from .flow import CaseFlow, to_out
from .models import ENDED, Case, CaseKind, CaseState, Liability
from .state import CYCLE, NEXT_STEPS

DATABASE_RULES = DatabaseRefusals(
    {
        (UNIQUE_VIOLATION, "uq_cases_open_order_kind"): lambda _: Conflict(
            "the order already has an open case of this kind: one case per order problem (§3)",
            rule="§3.one-case-per-order-problem",
        )
    }
)


class CaseService(CaseFlow):
    async def open(self, data: schemas.CaseIn, actor: Principal) -> schemas.CaseOut:
        """C1 / K1 / P1: accepted; the step's 24 h and the case's 30 wd cycle start."""
        now = self.clock.now()
        record = Case(
            id=uuid.uuid4(),
            kind=data.kind,
            state=CaseState.evidence,
            order_id=data.order_id,
            customer_id=data.customer_id,
            merchant_id=data.merchant_id,
            currency=data.currency,
            summary=data.summary,
            created_by=actor.subject,
            created_at=now,
            updated_at=now,
        )
        with DATABASE_RULES:
            await self.repository.add(record)
        await self.flow(record).create(record, actor, reason=data.summary)
        return to_out(record)

    async def _require_evidence(self, record: Case, step: str) -> None:
        if not await self.repository.has_evidence(record.id):
            raise RuleViolation(
                f"{step}.evidence-required",
                f"{step}: the customer's evidence (a photo or document) is needed before the case moves on",
                field="path.case_id",
            )

    async def investigate(self, case_id: uuid.UUID, data: schemas.NoteIn, actor: Principal) -> schemas.CaseOut:
        """C1 → C2 (the warehouse checks the shipment) or K1 → K2 (the logistics group asks the courier)."""
        record = await self.locked(case_id)
        flow, transition = self.require(record, "investigate")
        step = transition.step
        await self._require_evidence(record, step)
        await flow.apply(record, "investigate", actor, reason=data.note)
        return to_out(record)

    async def record_finding(
        self, case_id: uuid.UUID, data: schemas.WarehouseFindingIn, actor: Principal
    ) -> schemas.CaseOut:
        """C2: if the warehouse cannot prove it shipped right, the warehouse is liable (seed 000 §7.1 2))."""
        record = await self.locked(case_id)
        flow, _ = self.require(record, "record-finding")
        await flow.apply(record, "record-finding", actor, reason=data.finding)
        record.finding = data.finding
        record.liability = None if data.shipped_right_proven else Liability.warehouse
        return to_out(record)

    async def assign_liability(
        self, case_id: uuid.UUID, data: schemas.LiabilityIn, actor: Principal
    ) -> schemas.CaseOut:
        """K2: the logistics group assigns liability; a liable courier is named and owes the cost
        (CourierLiabilityAssigned: finance books a receivable from that courier)."""
        record = await self.locked(case_id)
        flow, _ = self.require(record, "assign-liability")
        event = None
        if data.liability == Liability.courier:
            if data.courier is None:
                raise RuleViolation("K2.courier-named", "a liable courier must be named", field="body.courier")
            if data.courier_owes_minor is None:
                raise RuleViolation(
                    "K2.courier-owes", "what the liable courier owes is required", field="body.courier_owes_minor"
                )
            event = ev.CourierLiabilityAssigned(
                case_id=record.id,
                order_id=record.order_id,
                courier=data.courier,
                amount_minor=data.courier_owes_minor,
                currency=record.currency,
                assigned_by=actor.subject,
                assigned_at=self.clock.now(),
            )
        elif data.courier_owes_minor is not None:
            raise RuleViolation(
                "K2.courier-owes", "only a liable courier owes an amount", field="body.courier_owes_minor"
            )
        await flow.apply(record, "assign-liability", actor, reason=f"{data.liability}: {data.finding}", event=event)
        record.liability, record.finding = data.liability, data.finding
        record.courier, record.courier_owes_minor = data.courier, data.courier_owes_minor
        return to_out(record)

    async def judge(self, case_id: uuid.UUID, data: schemas.JudgementIn, actor: Principal) -> schemas.CaseOut:
        """P2: a quality problem (P2B: the OA form of P2B1 waits for a supervisor) or not (P2A)."""
        record = await self.locked(case_id)
        flow, _ = self.require(record, "judge")
        await self._require_evidence(record, "P1")
        outcome = "quality" if data.quality_problem else "not-quality"
        await flow.apply(record, "judge", actor, outcome=outcome, reason=data.note)
        record.quality_problem = data.quality_problem
        if data.quality_problem:
            record.oa_form_no, record.freight_minor, record.oa_requested_by = (
                data.oa_form_no,
                data.freight_minor,
                actor.subject,
            )
        return to_out(record)

    async def approve_oa_form(self, case_id: uuid.UUID, data: schemas.DecisionIn, actor: Principal) -> schemas.CaseOut:
        """P2B1: a supervisor other than the agent who filed it approves the OA complaint form; the
        shop advances the return freight (QualityReturnFreightAdvanced, when there is any)."""
        record = await self.locked(case_id)
        flow, _ = self.require(record, "approve-oa-form")
        if actor.subject == record.oa_requested_by:
            raise Forbidden("the OA form's approver is never its requester", rule="P2B1.approver-not-requester")
        freight = record.freight_minor or 0
        event = None
        if freight > 0:  # nothing advanced, nothing booked (finance refuses a zero leg)
            event = ev.QualityReturnFreightAdvanced(
                case_id=record.id,
                order_id=record.order_id,
                amount_minor=freight,
                currency=record.currency,
                approved_by=actor.subject,
                advanced_at=self.clock.now(),
            )
        await flow.apply(record, "approve-oa-form", actor, reason=data.note or record.oa_form_no, event=event)
        record.oa_approved_by = actor.subject
        return to_out(record)

    async def record_inspection(
        self, case_id: uuid.UUID, data: schemas.InspectionIn, actor: Principal
    ) -> schemas.CaseOut:
        """P2B2: QC's result on the returned product."""
        record = await self.locked(case_id)
        verdict = "defective" if data.defective else "not defective"
        flow, _ = self.require(record, "record-inspection")
        await flow.apply(record, "record-inspection", actor, reason=f"{verdict}: {data.result}")
        record.qc_result = f"{verdict}: {data.result}"
        return to_out(record)

    async def step(self, case_id: uuid.UUID, action: str, note: str | None, actor: Principal) -> schemas.CaseOut:
        """A step that records only who and why: P2B3 inform the customer, P2A1 explain, close."""
        record = await self.locked(case_id)
        flow, _ = self.require(record, action)
        await flow.apply(record, action, actor, reason=note)
        return to_out(record)

    async def request_return(self, case_id: uuid.UUID, data: schemas.ReasonIn, actor: Principal) -> schemas.CaseOut:
        """P2A2: the customer still wants to return the goods: the return flow (§6) takes over."""
        record = await self.locked(case_id)
        flow, _ = self.require(record, "request-return")
        event = return_requested(record, "P2A2", data.reason, actor, self.clock.now())
        await flow.apply(record, "request-return", actor, reason=data.reason, event=event)
        return to_out(record)

    # -- reading -------------------------------------------------------------------------------

    async def get(self, case_id: uuid.UUID) -> schemas.CaseOut:
        out = to_out(await self.repository.get(case_id))
        await FlagService(self.session).show_on([out])  # E3: staff read cases (CaseReader)
        return out

    async def history(self, case_id: uuid.UUID) -> list[TransitionOut]:
        record = await self.repository.get(case_id)
        return await self.flow(record).history(case_id)

    async def list(
        self,
        page: PageParams,
        *,
        kind: CaseKind | None = None,
        state: CaseState | None = None,
        order_id: str | None = None,
        customer_id: str | None = None,
    ) -> Page[schemas.CaseOut]:
        rows = await self.repository.page(page, kind=kind, state=state, order_id=order_id, customer_id=customer_id)
        listed = page_of(rows, page, key=lambda r: (r.created_at, r.id), item=to_out)
        await FlagService(self.session).show_on(listed.items)
        return listed

    async def status(self, case_id: uuid.UUID, actor: Principal) -> schemas.CaseStatusOut:
        """The customer's view of their case (staff see it too): state, next step, due times."""
        record = await self.visible(case_id, actor)
        return (await self._statuses([record]))[record.id]

    async def mine(self, page: PageParams, actor: Principal) -> Page[schemas.CaseStatusOut]:
        rows = await self.repository.page(page, customer_id=actor.subject)
        statuses = await self._statuses(rows)
        return page_of(rows, page, key=lambda r: (r.created_at, r.id), item=lambda r: statuses[r.id])

    async def _statuses(self, records: Sequence[Case]) -> dict[uuid.UUID, schemas.CaseStatusOut]:
        due: dict[str, dict[str, datetime]] = {}
        for row in await self.repository.open_clocks([r.id for r in records]):  # one query for the page
            due.setdefault(row.aggregate_id, {})[row.step] = row.due_at
        statuses = {record.id: _status(record, due.get(str(record.id), {})) for record in records}
        handed = [r.id for r in records if r.state == CaseState.return_requested]
        for step in await self.repository.returns_followed(handed) if handed else ():
            status = statuses[uuid.UUID(step.aggregate_id)]
            status.return_step, status.return_note, status.return_step_at = step.step, step.reason, step.at
        return statuses


def _status(record: Case, due: dict[str, datetime]) -> schemas.CaseStatusOut:
    nxt = None if record.state in ENDED else NEXT_STEPS[record.kind].get(record.state)
    return schemas.CaseStatusOut(
        id=record.id,
        kind=record.kind,
        order_id=record.order_id,
        state=record.state,
        ended=record.state in ENDED,
        next_step=nxt.step if nxt else None,
        next_step_by=nxt.who if nxt else None,
        next_step_description=nxt.what if nxt else None,
        next_step_due_at=due.get(nxt.step) if nxt else None,
        cycle_due_at=due.get(CYCLE),
        updated_at=record.updated_at,
    )


def return_requested(
    record: Case, step: str, reason: str, actor: Principal, at: datetime
) -> ev.AfterSaleReturnRequested:
    """C3A / P2A2: the event returns opens the return from."""
    return ev.AfterSaleReturnRequested.model_validate(
        {
            "case_id": record.id,
            "case_kind": str(record.kind),
            "step": step,
            "order_id": record.order_id,
            "customer_id": record.customer_id,
            "merchant_id": record.merchant_id,
            "reason": reason,
            "requested_by": actor.subject,
            "requested_at": at,
        }
    )
