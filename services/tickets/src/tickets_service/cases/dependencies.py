"""``Annotated`` aliases of the cases routes: the use cases, and the role sets only cases need."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from aftersales_chassis import ClockDep, Principal, SessionDep, allow
from aftersales_chassis.roles import BACK_OFFICE, CUSTOMER, QC
from aftersales_chassis.storage import AttachmentsDep
from aftersales_sla import SlaDep

from .evidence import EvidenceService
from .remedies import RemediesService
from .service import CaseService


async def _cases(session: SessionDep, clock: ClockDep, sla: SlaDep) -> CaseService:
    return CaseService(session, clock, sla)


async def _remedies(session: SessionDep, clock: ClockDep, sla: SlaDep) -> RemediesService:
    return RemediesService(session, clock, sla)


async def _evidence(session: SessionDep, clock: ClockDep, sla: SlaDep, store: AttachmentsDep) -> EvidenceService:
    return EvidenceService(session, clock, sla, store)


Cases = Annotated[CaseService, Depends(_cases)]
Remedies = Annotated[RemediesService, Depends(_remedies)]
Evidence = Annotated[EvidenceService, Depends(_evidence)]

# Everyone inside the shop who works cases, QC (P2B2) included.
CASE_READERS = (*BACK_OFFICE, *QC)
CaseReader = Annotated[Principal, Depends(allow(*CASE_READERS))]
# The customer (their own case only: others get 404) and everyone who works cases.
CaseParty = Annotated[Principal, Depends(allow(*CUSTOMER, *CASE_READERS))]
CustomerOnly = Annotated[Principal, Depends(allow(*CUSTOMER))]
