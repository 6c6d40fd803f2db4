"""Use cases of malicious reviews: E2 report, its outcome, E3 the customer flagged. Only flush."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from aftersales_chassis import Clock, NotFound, Principal, RuleViolation
from aftersales_chassis.storage import AttachmentPolicy, AttachmentStore
from aftersales_events import record_event
from aftersales_events.catalogue import reviews as ev
from aftersales_sla import SlaClocks

from ..marketplaces.port import MarketplacePort, ReportRequest
from ..reviews.repository import ReviewRepository
from ..reviews.service import closed_event
from ..reviews.state import CASE_FLOW
from . import schemas
from .models import ReportEvidence, ReportOutcome, ReviewReport
from .repository import ReportRepository
from .state import REPORT_FLOW

EVIDENCE_POLICY = AttachmentPolicy(rule_prefix="E2.evidence")


class ReportService:
    def __init__(self, session: AsyncSession, clock: Clock, sla: SlaClocks) -> None:
        self.session = session
        self.clock = clock
        self.reports = ReportRepository(session)
        self.reviews = ReviewRepository(session)
        self.cases = CASE_FLOW.bind(session, clock, sla)
        self.flow = REPORT_FLOW.bind(session, clock, sla)

    async def report(
        self,
        case_id: uuid.UUID,
        data: schemas.ReportIn,
        actor: Principal,
        store: AttachmentStore,
        port: MarketplacePort,
    ) -> schemas.ReportOut:
        """E2: reported with a reason from the fixed list and at least one piece of evidence."""
        case = await self.reviews.get_case(case_id, for_update=True)
        self.cases.require(case, "report")
        report_id = uuid.uuid4()
        evidence = []
        for index, item in enumerate(data.evidence):
            stored = await store.put(
                item.content(),
                policy=EVIDENCE_POLICY,
                filename=item.filename,
                field_name=f"body.evidence[{index}].content_base64",
            )
            evidence.append(
                ReportEvidence(
                    id=uuid.uuid4(),
                    report_id=report_id,
                    key=stored.key,
                    content_type=stored.content_type,
                    size=stored.size,
                    sha256=stored.sha256,
                    filename=stored.filename,
                )
            )
        request = ReportRequest(
            str(report_id), case.marketplace, case.review_id, data.reason, tuple(e.key for e in evidence)
        )
        now = self.clock.now()
        report = ReviewReport(
            id=report_id,
            case_id=case.id,
            review_pk=case.review_pk,
            marketplace=case.marketplace,
            reason=data.reason,
            note=data.note,
            outcome=ReportOutcome.pending,
            marketplace_ref=await port.report_review(request),
            reported_by=actor.subject,
            reported_at=now,
            updated_at=now,
        )
        await self.reports.add(report, evidence)
        await self.flow.create(report, actor, reason=f"{data.reason}: {data.note}")
        await self.cases.apply(case, "report", actor, reason=f"reported to {case.marketplace}: {data.reason}")
        return await self._out(report)

    async def decide(self, report_id: uuid.UUID, data: schemas.OutcomeIn, actor: Principal) -> schemas.ReportOut:
        """The marketplace's decision: upheld removes the review from the figures."""
        report = await self.reports.get(report_id, for_update=True)
        await self.flow.apply(report, "decide", actor, outcome=data.outcome, reason=data.note or data.outcome)
        report.decided_by, report.decided_at = actor.subject, self.clock.now()
        if data.outcome == ReportOutcome.upheld:
            review = await self.reviews.get_review(report.review_pk, for_update=True)
            review.excluded = True
        return await self._out(report)

    async def flag(self, case_id: uuid.UUID, data: schemas.FlagIn, actor: Principal) -> schemas.ReportOut:
        """E3: the customer recorded, so that the next contact is handled with care."""
        case = await self.reviews.get_case(case_id, for_update=True)
        self.cases.require(case, "flag")
        if case.customer_id is None:
            raise RuleViolation("E3.customer-known", "the review names no customer to flag", customer_id=None)
        report = await self.reports.of_case(case.id)
        assert report is not None  # E2 made it (the state says so)
        now = self.clock.now()
        case.closed_at, case.outcome = now, "flagged"
        flagged = ev.CustomerFlagged(
            customer_id=case.customer_id,
            case_id=case.id,
            report_id=report.id,
            marketplace=case.marketplace,
            review_id=case.review_id,
            order_id=case.order_id,
            phone=case.phone,
            reason=report.reason,
            note=data.note,
            flagged_by=actor.subject,
            flagged_at=now,
        )
        await self.cases.apply(case, "flag", actor, reason=data.note, event=flagged)
        await record_event(self.session, closed_event(case, "flagged"), subject=str(case.id), at=now)
        return await self._out(report)

    async def get(self, report_id: uuid.UUID) -> schemas.ReportOut:
        return await self._out(await self.reports.get(report_id))

    async def of_case(self, case_id: uuid.UUID) -> schemas.ReportOut:
        report = await self.reports.of_case(case_id)
        if report is None:
            raise NotFound(f"case {case_id} has no report", resource="report", case_id=str(case_id))
        return await self._out(report)

    async def evidence_bytes(
        self, report_id: uuid.UUID, evidence_id: uuid.UUID, store: AttachmentStore
    ) -> tuple[bytes, str]:
        for item in await self.reports.evidence(report_id):
            if item.id == evidence_id:
                return await store.read(item.key), item.content_type
        raise NotFound(f"report {report_id} has no evidence {evidence_id}", resource="evidence", id=str(evidence_id))

    async def _out(self, report: ReviewReport) -> schemas.ReportOut:
        out = schemas.ReportOut.model_validate(report)
        out.evidence = [schemas.EvidenceOut.model_validate(e) for e in await self.reports.evidence(report.id)]
        out.allowed_actions = REPORT_FLOW.allowed_actions(report.outcome)
        return out
