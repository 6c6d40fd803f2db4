"""HTTP routes of after-sale cases (PROCESSES.md §3), each named by its step. Thin: roles
declared, the use case called, nothing else."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import File, Query, Response, UploadFile, status

from aftersales_chassis import Page, PageDep, problems, service_router
from aftersales_chassis.roles import AgentOrSupervisor, QcOnly, SupervisorOnly, WarehouseOnly
from aftersales_workflow import TransitionOut

from . import schemas
from .dependencies import CaseParty, CaseReader, Cases, CustomerOnly, Evidence, Remedies
from .evidence import EVIDENCE
from .models import CaseKind, CaseState

router = service_router(
    prefix="/cases",
    tags=["cases"],
    responses=problems(404, 409, descriptions={404: "Not found: no such case (or not the caller's own)"}),
)


@router.post("", status_code=status.HTTP_201_CREATED, summary="C1 / K1 / P1 · Accept a case (one per order problem)")
async def open_case(
    body: schemas.CaseIn, cases: Cases, actor: AgentOrSupervisor, response: Response
) -> schemas.CaseOut:
    """Roles: agent, supervisor. Starts the step's 24 h (C1, K1, P1) and the case's 30 wd cycle (§3).
    A second open case of the same kind for the order: 409 `§3.one-case-per-order-problem`."""
    created = await cases.open(body, actor)
    response.headers["Location"] = f"/cases/{created.id}"
    return created


@router.get("", summary="List cases")
async def list_cases(
    cases: Cases,
    _: CaseReader,
    page: PageDep,
    kind: Annotated[CaseKind | None, Query()] = None,
    state: Annotated[CaseState | None, Query()] = None,
    order_id: Annotated[str | None, Query(max_length=64)] = None,
) -> Page[schemas.CaseOut]:
    return await cases.list(page, kind=kind, state=state, order_id=order_id)


@router.get("/mine", summary="The customer's own cases: status, next step, due time")
async def my_cases(cases: Cases, actor: CustomerOnly, page: PageDep) -> Page[schemas.CaseStatusOut]:
    """Role: customer. Only the caller's own cases."""
    return await cases.mine(page, actor)


@router.get("/{case_id}", summary="One case, with the actions allowed now")
async def get_case(case_id: uuid.UUID, cases: Cases, _: CaseReader) -> schemas.CaseOut:
    return await cases.get(case_id)


@router.get("/{case_id}/status", summary="Where the case is: status, next step, due time")
async def case_status(case_id: uuid.UUID, cases: Cases, actor: CaseParty) -> schemas.CaseStatusOut:
    """Roles: the customer (their own case; another's is 404) and staff."""
    return await cases.status(case_id, actor)


@router.get("/{case_id}/history", summary="Audit trail: every transition with who, when, why")
async def get_history(case_id: uuid.UUID, cases: Cases, _: CaseReader) -> list[TransitionOut]:
    return await cases.history(case_id)


@router.post("/{case_id}/investigation", summary="C1 → C2 / K1 → K2 · Evidence complete: to the warehouse / logistics")
async def investigate(
    case_id: uuid.UUID, body: schemas.NoteIn, cases: Cases, actor: AgentOrSupervisor
) -> schemas.CaseOut:
    """Roles: agent, supervisor. Needs evidence (422 `C1.evidence-required` / `K1.…`). C2 has 24 h."""
    return await cases.investigate(case_id, body, actor)


@router.post("/{case_id}/warehouse-finding", summary="C2 · The warehouse's finding (unproven: liability warehouse)")
async def record_finding(
    case_id: uuid.UUID, body: schemas.WarehouseFindingIn, cases: Cases, actor: WarehouseOnly
) -> schemas.CaseOut:
    """Role: warehouse. SLA 24 h. Then C3."""
    return await cases.record_finding(case_id, body, actor)


@router.post("/{case_id}/liability", summary="K2 · Logistics assigns liability, the courier named")
async def assign_liability(
    case_id: uuid.UUID, body: schemas.LiabilityIn, cases: Cases, actor: WarehouseOnly
) -> schemas.CaseOut:
    """Role: warehouse (the logistics group, 物流组). A liable courier is named with what it owes:
    `CourierLiabilityAssigned` (finance books a receivable from it). Then C3."""
    return await cases.assign_liability(case_id, body, actor)


@router.post("/{case_id}/judgement", summary="P2 · Quality problem (P2B → P2B1 OA form) or not (P2A)")
async def judge(
    case_id: uuid.UUID, body: schemas.JudgementIn, cases: Cases, actor: AgentOrSupervisor
) -> schemas.CaseOut:
    """Roles: agent, supervisor. Needs evidence (422 `P1.evidence-required`)."""
    return await cases.judge(case_id, body, actor)


@router.post("/{case_id}/oa-form/approve", summary="P2B1 · Supervisor approves the OA form; freight advanced")
async def approve_oa_form(
    case_id: uuid.UUID, body: schemas.DecisionIn, cases: Cases, actor: SupervisorOnly
) -> schemas.CaseOut:
    """Role: supervisor, never the agent who filed it (403 `P2B1.approver-not-requester`). SLA 3 wd.
    Publishes `QualityReturnFreightAdvanced` when freight is advanced. QC's 3 wd (P2B2) start."""
    return await cases.approve_oa_form(case_id, body, actor)


@router.post("/{case_id}/inspection", summary="P2B2 · QC's inspection result")
async def record_inspection(
    case_id: uuid.UUID, body: schemas.InspectionIn, cases: Cases, actor: QcOnly
) -> schemas.CaseOut:
    """Role: qc. SLA 3 wd. The agent's 3 wd to tell the customer (P2B3) start."""
    return await cases.record_inspection(case_id, body, actor)


@router.post("/{case_id}/customer-informed", summary="P2B3 · The result told to the customer; on to C3")
async def inform_customer(
    case_id: uuid.UUID, body: schemas.NoteIn, cases: Cases, actor: AgentOrSupervisor
) -> schemas.CaseOut:
    """Roles: agent, supervisor. SLA 3 wd."""
    return await cases.step(case_id, "inform-customer", body.note, actor)


@router.post("/{case_id}/explanation", summary="P2A1 · Not a quality problem, explained to the customer")
async def explain(
    case_id: uuid.UUID, body: schemas.ReasonIn, cases: Cases, actor: AgentOrSupervisor
) -> schemas.CaseOut:
    """Roles: agent, supervisor."""
    return await cases.step(case_id, "explain", body.reason, actor)


@router.post("/{case_id}/return-request", summary="P2A2 · The customer still wants to return: the return flow")
async def request_return(
    case_id: uuid.UUID, body: schemas.ReasonIn, cases: Cases, actor: AgentOrSupervisor
) -> schemas.CaseOut:
    """Roles: agent, supervisor. Publishes `AfterSaleReturnRequested`; the case ends."""
    return await cases.request_return(case_id, body, actor)


@router.post("/{case_id}/close", summary="C1 / K1 / P1 / P2A1 / C3 · Close without a remedy")
async def close(case_id: uuid.UUID, body: schemas.ReasonIn, cases: Cases, actor: AgentOrSupervisor) -> schemas.CaseOut:
    """Roles: agent, supervisor. Stops the open clocks and the cycle."""
    return await cases.step(case_id, "close", body.reason, actor)


@router.post("/{case_id}/remedy", summary="C3 · The remedy: return/exchange (C3A) or a discount (C3B)")
async def choose_remedy(
    case_id: uuid.UUID, body: schemas.RemedyIn, remedies: Remedies, actor: AgentOrSupervisor
) -> schemas.CaseOut:
    """Roles: agent, supervisor. C3A publishes `AfterSaleReturnRequested` (the case ends);
    C3B starts C3B1's 24 h."""
    return await remedies.choose(case_id, body, actor)


@router.post(
    "/{case_id}/abnormal-refunds", status_code=status.HTTP_201_CREATED, summary="C3B1 · Create the abnormal refund"
)
async def request_abnormal_refund(
    case_id: uuid.UUID, body: schemas.AbnormalRefundIn, remedies: Remedies, actor: AgentOrSupervisor
) -> schemas.AbnormalRefundOut:
    """Roles: agent, supervisor. SLA 24 h. The order's discounts, all cases together, stay within
    its exchange cost (422 `C3B.discount-within-exchange-cost`, with `limit_minor`)."""
    return await remedies.request(case_id, body, actor)


@router.get("/{case_id}/abnormal-refunds", summary="The case's abnormal refunds, with the limit in force")
async def list_abnormal_refunds(
    case_id: uuid.UUID, remedies: Remedies, _: CaseReader
) -> list[schemas.AbnormalRefundOut]:
    return await remedies.list(case_id)


@router.post("/{case_id}/abnormal-refunds/{refund_id}/approve", summary="C3B2 · Supervisor approves and refunds")
async def approve_abnormal_refund(
    case_id: uuid.UUID, refund_id: uuid.UUID, body: schemas.DecisionIn, remedies: Remedies, actor: SupervisorOnly
) -> schemas.AbnormalRefundOut:
    """Role: supervisor, never the requester (403 `C3B2.approver-not-requester`). SLA 24 h. The cap is
    checked again on the order's locked row (422 above it); publishes `AbnormalRefundApproved`."""
    return await remedies.approve(case_id, refund_id, body, actor)


@router.post("/{case_id}/abnormal-refunds/{refund_id}/reject", summary="C3B2 · Supervisor refuses: back to C3B1")
async def reject_abnormal_refund(
    case_id: uuid.UUID, refund_id: uuid.UUID, body: schemas.RejectionIn, remedies: Remedies, actor: SupervisorOnly
) -> schemas.AbnormalRefundOut:
    """Role: supervisor, never the requester."""
    return await remedies.reject(case_id, refund_id, body, actor)


@router.post("/{case_id}/evidence", status_code=status.HTTP_201_CREATED, summary="Upload evidence (photo, PDF, video)")
async def upload_evidence(
    case_id: uuid.UUID, evidence: Evidence, actor: CaseParty, file: Annotated[UploadFile, File()]
) -> schemas.AttachmentOut:
    """Roles: the customer (their own case) and staff. multipart/form-data, field `file`. The type
    is read from the bytes (JPEG, PNG, WebP, GIF, HEIC, PDF, MP4), at most 10 MiB: 422
    `evidence.type` / `evidence.size` / `evidence.not-empty` otherwise."""
    data = await file.read(EVIDENCE.max_bytes + 1)  # one byte more tells "too large" without reading it all
    return await evidence.upload(case_id, data, file.filename, actor)


@router.get("/{case_id}/evidence", summary="The case's evidence")
async def list_evidence(case_id: uuid.UUID, evidence: Evidence, actor: CaseParty) -> list[schemas.AttachmentOut]:
    """Roles: the customer (their own case) and staff."""
    return await evidence.list(case_id, actor)


@router.get(
    "/{case_id}/evidence/{attachment_id}",
    summary="One piece of evidence, its bytes",
    response_class=Response,
    responses={200: {"content": {"application/octet-stream": {}}, "description": "The bytes, typed as sniffed."}},
)
async def read_evidence(case_id: uuid.UUID, attachment_id: uuid.UUID, evidence: Evidence, actor: CaseParty) -> Response:
    """Roles: the customer (their own case; another's is 404) and staff."""
    row, data = await evidence.read(case_id, attachment_id, actor)
    disposition = f"attachment; filename*=UTF-8''{row.sha256}"
    return Response(content=data, media_type=row.content_type, headers={"Content-Disposition": disposition})
