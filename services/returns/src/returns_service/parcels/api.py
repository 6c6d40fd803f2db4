"""HTTP routes of the warehouse parcel flows. Each names its step (PROCESSES.md §6.3)."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import Body, Query

from aftersales_chassis import Instant, Page, PageDep, problems, service_router
from aftersales_chassis.roles import AgentOrSupervisor, BackOfficeReader
from aftersales_workflow import TransitionOut

from . import schemas
from .dependencies import Custodian, Ingestion, Parcels, Scanner
from .models import ParcelStatus

router = service_router(
    prefix="/parcels",
    tags=["parcels"],
    responses=problems(
        404,
        409,
        descriptions={
            404: "Not found: no such parcel or return",
            409: "Conflict: not allowed in the parcel's current status (`current_state`, `allowed_actions`)",
        },
    ),
)

_BATCH_BODY = {
    "required": True,
    "content": {
        "application/json": {
            "schema": {
                "type": "array",
                "minItems": 1,
                "maxItems": schemas.MAX_BATCH,
                "items": schemas.ScanIn.model_json_schema(),
            },
            "example": [schemas.SCAN_EXAMPLE, {**schemas.SCAN_EXAMPLE, "scanned_at": "2026-11-23T09:12:00"}],
        }
    },
}


@router.post(
    "/scans:batch",
    summary="M · Scanner batch: arrived, opened, inspected, stocked-in",
    openapi_extra={"requestBody": _BATCH_BODY},
    responses={
        200: {
            "description": "Per-item outcome (207-style, sent as 200): accepted, duplicates (a resent `scan_id`, "
            "not counted again) and rejected with each field's reason. A bad item never fails the batch.",
            "content": {"application/json": {"example": schemas.BATCH_EXAMPLE}},
        }
    },
)
async def ingest_scans(
    scans: Annotated[list[Any], Body(min_length=1, max_length=schemas.MAX_BATCH)],
    ingestion: Ingestion,
    actor: Scanner,
) -> schemas.BatchResult:
    """Roles: warehouse, service (scanner gateways). Up to 500 scans, idempotent by `scan_id`;
    out-of-order scans are accepted (a parcel's stage follows `scanned_at`, not arrival).
    New parcels are matched to returns at once (M1: return number, return tracking number,
    phone, sender, address); a match logs the return's parcel (M) and starts T1A5. Unmatched
    or ambiguous parcels go to customer service (M2; M4–M6 24 h to identify or register them). An `inspected` scan with
    `intact: true` for a matched parcel whose return has its tracking number confirms receipt
    (M7–M12 → T1A5); `intact: false` flags the parcel for an agent."""
    return await ingestion.ingest(scans, actor)


@router.get("/unmatched", summary="M2 · Work queue: parcels for customer service to identify")
async def unmatched_queue(parcels: Parcels, _: AgentOrSupervisor, page: PageDep) -> Page[schemas.ParcelOut]:
    """Roles: agent, supervisor. Oldest first. SLA 24 h from the hand-over (see /sla/clocks, step M4)."""
    return await parcels.search(page, status=ParcelStatus.unmatched)


@router.get("/unclaimed", summary="M4–M6 · Unclaimed-parcel register (searchable)")
async def unclaimed_register(
    parcels: Parcels,
    _: Custodian,
    page: PageDep,
    tracking_number: Annotated[str | None, Query(max_length=64)] = None,
    phone: Annotated[str | None, Query(max_length=32, description="Any part of the number.")] = None,
    sender: Annotated[str | None, Query(max_length=200, description="Any part of the sender's name.")] = None,
    arrived_from: Annotated[Instant | None, Query(description="First scan at or after.")] = None,
    arrived_to: Annotated[Instant | None, Query(description="First scan before.")] = None,
) -> Page[schemas.ParcelOut]:
    """Roles: agent, supervisor, warehouse."""
    digits = "".join(ch for ch in phone or "" if ch.isdigit()) or None
    return await parcels.search(
        page,
        status=ParcelStatus.unclaimed,
        tracking_number=tracking_number,
        phone_digits=digits,
        sender=sender,
        arrived_from=arrived_from,
        arrived_to=arrived_to,
    )


@router.get("", summary="List parcels")
async def list_parcels(
    parcels: Parcels,
    _: BackOfficeReader,
    page: PageDep,
    status: Annotated[ParcelStatus | None, Query()] = None,
    tracking_number: Annotated[str | None, Query(max_length=64)] = None,
    attention: Annotated[bool | None, Query(description="Flagged for an agent (e.g. not intact).")] = None,
) -> Page[schemas.ParcelOut]:
    return await parcels.search(page, status=status, tracking_number=tracking_number, attention=attention)


@router.get("/logs", summary="M · Daily 09:00 parcel logs")
async def log_runs(parcels: Parcels, _: BackOfficeReader, page: PageDep) -> Page[schemas.LogRunOut]:
    return await parcels.log_runs(page)


@router.get("/{parcel_id}", summary="Get a parcel")
async def get_parcel(parcel_id: uuid.UUID, parcels: Parcels, _: BackOfficeReader) -> schemas.ParcelOut:
    return await parcels.get(parcel_id)


@router.get("/{parcel_id}/scans", summary="A parcel's scans in scanned_at order")
async def parcel_scans(parcel_id: uuid.UUID, parcels: Parcels, _: BackOfficeReader) -> list[schemas.ScanOut]:
    return await parcels.scans(parcel_id)


@router.get("/{parcel_id}/history", summary="Audit trail: identified, unclaimed, claimed, disposed, with who and why")
async def parcel_history(parcel_id: uuid.UUID, parcels: Parcels, _: BackOfficeReader) -> list[TransitionOut]:
    return await parcels.history(parcel_id)


@router.post("/{parcel_id}/identify", summary="M3 · Customer service identifies the parcel's return")
async def identify(
    parcel_id: uuid.UUID, body: schemas.IdentifyIn, parcels: Parcels, actor: AgentOrSupervisor
) -> schemas.ParcelOut:
    """Roles: agent, supervisor. Links the parcel to an approved return awaiting its parcel;
    the return continues (M5): parcel logged, T1A5 starts; receipt confirmed if it was
    already inspected intact."""
    return await parcels.identify(parcel_id, body, actor)


@router.post("/{parcel_id}/unclaimed", summary="M4 · Record the parcel in the unclaimed register")
async def mark_unclaimed(
    parcel_id: uuid.UUID, body: schemas.UnclaimedIn, parcels: Parcels, actor: AgentOrSupervisor
) -> schemas.ParcelOut:
    """Roles: agent, supervisor. Stops the M4 clock; the parcel is held until claimed or
    disposed of. A breached M4 clock does not move the parcel by itself: a person decides."""
    return await parcels.mark_unclaimed(parcel_id, body, actor)


@router.post("/{parcel_id}/claim", summary="M5 · Claim an unclaimed parcel for its return")
async def claim(
    parcel_id: uuid.UUID, body: schemas.ClaimIn, parcels: Parcels, actor: AgentOrSupervisor
) -> schemas.ParcelOut:
    """Roles: agent, supervisor. Only while the parcel is still held."""
    return await parcels.claim(parcel_id, body, actor)


@router.post("/{parcel_id}/disposition", summary="M6 · Decide what happens to an unclaimed parcel")
async def disposition(
    parcel_id: uuid.UUID, body: schemas.DispositionIn, parcels: Parcels, actor: Custodian
) -> schemas.ParcelOut:
    """Roles: agent, supervisor, warehouse. held, returned_to_sender or disposed."""
    return await parcels.dispose(parcel_id, body, actor)
