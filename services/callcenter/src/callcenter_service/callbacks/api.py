"""HTTP routes of the callback queue (§7.2). Thin: roles declared, the use case called."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import Path, Query, Request, Response, status

from aftersales_chassis import Day, Page, PageDep, problems, resent, service_router
from aftersales_chassis.roles import AgentOrSupervisor, BackOfficeReader, SupervisorOnly
from aftersales_workflow import TransitionOut

from . import schemas
from .dependencies import Callbacks, Opener
from .kinds import TaskKind
from .models import TaskState
from .outreach import BODY, OutreachImportOut, import_outreach

router = service_router(
    prefix="/callbacks",
    tags=["callbacks"],
    responses=problems(404, 409, descriptions={404: "Not found: no such callback task"}),
)
queue_router = service_router(prefix="/callback-queue", tags=["callbacks"], responses=problems(409))
do_not_call_router = service_router(prefix="/do-not-call", tags=["callbacks"], responses=problems(409))


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    summary="§7.2 · Add a call to make (signup, list entry)",
    responses=resent(schemas.TaskOut, "A resend: the task already there for this (source, step)"),
)
async def open_task(body: schemas.TaskIn, service: Callbacks, actor: Opener, response: Response) -> schemas.TaskOut:
    """Roles: service, supervisor. The kind sets the priority class and the due time (§7.2, §10);
    one task per (source, step): a resend answers 200 with the task already there. A phone on
    the do-not-call register is refused (422, rule `§7.2.do-not-call`)."""
    task, created = await service.open(body, actor)
    response.headers["Location"] = f"/callbacks/{task.id}"
    if not created:
        response.status_code = status.HTTP_200_OK
    return task


@router.post(
    "/outreach-lists/{list_id}",
    summary="§7.2 · Upload an outreach list (CSV): low-priority calls",
    openapi_extra={"requestBody": BODY},
)
async def upload_outreach(
    list_id: Annotated[str, Path(min_length=1, max_length=64, pattern=r"^[\w.-]+$")],
    request: Request,
    service: Callbacks,
    actor: Opener,
) -> OutreachImportOut:
    """Roles: service, supervisor. Columns `phone` (required), `name`, `customer_id`, `note`.
    Every row is checked first: one bad phone refuses the file (422 naming the line). A list
    uploaded again opens nothing twice; phones on the do-not-call register are skipped."""
    return await import_outreach(service, list_id, await request.body(), actor)


@router.get("", summary="Callback tasks, by due time")
async def list_tasks(
    service: Callbacks,
    _: BackOfficeReader,
    page: PageDep,
    state: Annotated[TaskState | None, Query()] = None,
    priority_class: Annotated[str | None, Query(pattern="^(highest|high|medium|low)$")] = None,
    kind: Annotated[TaskKind | None, Query()] = None,
    timing: Annotated[str | None, Query(pattern="^(breached|at_risk|on_time)$")] = None,
) -> Page[schemas.TaskOut]:
    return await service.tasks(page, state=state, priority_class=priority_class, kind=kind, timing=timing)


@router.get("/events/{event_date}/attendance", summary="§7.2 · An event's signups: confirmed and expected attendees")
async def attendance(event_date: Day, service: Callbacks, _: BackOfficeReader) -> schemas.AttendanceOut:
    return await service.attendance(event_date)


@router.get("/{task_id}", summary="One callback task, with the actions allowed now")
async def get_task(task_id: uuid.UUID, service: Callbacks, _: BackOfficeReader) -> schemas.TaskOut:
    return await service.get(task_id)


@router.get("/{task_id}/history", summary="Audit trail: every transition with who, when, why")
async def get_history(task_id: uuid.UUID, service: Callbacks, _: BackOfficeReader) -> list[TransitionOut]:
    return await service.history(task_id)


@router.post("/{task_id}/outcome", summary="§7.2 · Record a call attempt's outcome")
async def record_outcome(
    task_id: uuid.UUID, body: schemas.OutcomeIn, service: Callbacks, actor: AgentOrSupervisor
) -> schemas.TaskOut:
    """Roles: agent, supervisor, holding a live lease (409 rule `§7.2.lease-lapsed` otherwise).
    `no_answer` schedules the next attempt in calling time; `unreachable` needs at least two
    unanswered attempts (422 rule `§7.2.two-unanswered-attempts`); `reached` needs a summary."""
    return await service.outcome(task_id, body, actor)


@queue_router.post(
    "/claim",
    summary="§7.2 · Claim the next call: a lease with a fencing token",
    response_model=schemas.ClaimOut,
    responses={204: {"description": "Nothing callable now"}},
)
async def claim(service: Callbacks, actor: AgentOrSupervisor) -> Any:
    """Roles: agent, supervisor. By priority class, then due time, then original request time;
    never before a task's not-before time; only in working time or a supervisor's override
    (409 rule `§7.2.calling-window` otherwise)."""
    claimed = await service.claim(actor)
    return Response(status_code=status.HTTP_204_NO_CONTENT) if claimed is None else claimed


@queue_router.get("", summary="The queue by priority class: open, leased, at risk, breached")
async def queue(service: Callbacks, _: SupervisorOnly) -> schemas.QueueOut:
    return await service.queue()


@queue_router.post(
    "/window-overrides", status_code=status.HTTP_201_CREATED, summary="§7.2 · Open calling outside working time"
)
async def add_override(body: schemas.OverrideIn, service: Callbacks, actor: SupervisorOnly) -> schemas.OverrideOut:
    """Role: supervisor. Recorded with who and why; claims made under it name it."""
    return await service.add_override(body, actor)


@queue_router.get("/window-overrides", summary="Calling-window overrides, oldest first")
async def list_overrides(service: Callbacks, _: BackOfficeReader, page: PageDep) -> Page[schemas.OverrideOut]:
    return await service.overrides(page)


@do_not_call_router.post("", summary="§7.2 · Do not call this phone: its open tasks close, new ones are refused")
async def do_not_call(body: schemas.DoNotCallIn, service: Callbacks, actor: AgentOrSupervisor) -> schemas.DoNotCallOut:
    """Roles: agent, supervisor. Idempotent: the first reason recorded stays."""
    return await service.do_not_call(body, actor)
