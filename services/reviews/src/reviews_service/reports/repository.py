"""Every query of reports and their evidence."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from aftersales_chassis import NotFound

from .models import ReportEvidence, ReviewReport


class ReportRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, report: ReviewReport, evidence: list[ReportEvidence]) -> None:
        self.session.add(report)
        await self.session.flush()
        self.session.add_all(evidence)
        await self.session.flush()

    async def get(self, report_id: uuid.UUID, *, for_update: bool = False) -> ReviewReport:
        query = select(ReviewReport).where(ReviewReport.id == report_id)
        if for_update:
            query = query.with_for_update()
        report = await self.session.scalar(query.execution_options(populate_existing=True))
        if report is None:
            raise NotFound(f"report {report_id} does not exist", resource="report", id=str(report_id))
        return report

    async def of_case(self, case_id: uuid.UUID) -> ReviewReport | None:
        return await self.session.scalar(select(ReviewReport).where(ReviewReport.case_id == case_id))

    async def evidence(self, report_id: uuid.UUID) -> list[ReportEvidence]:
        query = select(ReportEvidence).where(ReportEvidence.report_id == report_id).order_by(ReportEvidence.id)
        return list(await self.session.scalars(query))
