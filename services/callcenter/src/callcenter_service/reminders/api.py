"""HTTP routes of the unpaid reminders (§2). Thin: roles declared, the use case called."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import Depends, Path, status

from aftersales_chassis import ClockDep, Principal, Role, SessionDep, allow, problems, service_router
from aftersales_chassis.roles import STAFF, AgentOrSupervisor, BackOfficeReader, SupervisorOnly
from aftersales_sla import SlaDep

from ..callbacks.dependencies import Settings
from . import schemas
from .service import ReminderService

router = service_router(prefix="/reminders", tags=["reminders"], responses=problems(404, 409))


async def _service(session: SessionDep, clock: ClockDep, sla: SlaDep, settings: Settings) -> ReminderService:
    return ReminderService(session, clock, sla, settings)


Reminders = Annotated[ReminderService, Depends(_service)]
OrderId = Annotated[str, Path(min_length=1, max_length=64)]
ScriptChannel = Annotated[Literal["chat", "sms"], Path()]
OptOutRecorder = Annotated[Principal, Depends(allow(*STAFF, Role.service))]


@router.get("/orders/{order_id}", summary="§2 · An order's reminders")
async def for_order(order_id: OrderId, service: Reminders, _: BackOfficeReader) -> list[schemas.ReminderOut]:
    return await service.for_order(order_id)


@router.post("/orders/{order_id}/close", summary="§2 · Close an impulse order instead of reminding it")
async def close(
    order_id: OrderId, body: schemas.CloseIn, service: Reminders, actor: AgentOrSupervisor
) -> schemas.ReminderOut:
    """Roles: agent, supervisor. 404 when the order has no scheduled reminder."""
    return await service.close(order_id, body, actor)


@router.get("/scripts", summary="B2 · The reminder scripts in use")
async def scripts(service: Reminders, _: BackOfficeReader) -> list[schemas.ScriptOut]:
    return await service.scripts()


@router.put("/scripts/{channel}", summary="B2 · A supervisor keeps the script of a channel")
async def put_script(
    channel: ScriptChannel, body: schemas.ScriptIn, service: Reminders, actor: SupervisorOnly
) -> schemas.ScriptOut:
    """Role: supervisor. `{order_id}` in the text is replaced by the order's id."""
    return await service.put_script(channel, body, actor)


@router.post("/sms-opt-outs", status_code=status.HTTP_204_NO_CONTENT, summary="§2 · The customer opted out of SMS")
async def opt_out(body: schemas.OptOutIn, service: Reminders, actor: OptOutRecorder) -> None:
    """Roles: agent, supervisor, service. Forever: reminders to this phone go by chat."""
    await service.opt_out(body, actor)
