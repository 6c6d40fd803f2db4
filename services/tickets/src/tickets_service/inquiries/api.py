"""HTTP routes of pre-sale inquiries (PROCESSES.md §1), each named by its step. Thin."""

from __future__ import annotations

import uuid
from typing import Annotated, Literal

from fastapi import Query, Response, status

from aftersales_chassis import Page, PageDep, problems, resent, service_router
from aftersales_chassis.roles import AgentOrSupervisor, ServiceAccount
from aftersales_workflow import TransitionOut

from . import schemas
from .dependencies import Inquiries, Recorder
from .models import InquiryChannel, InquiryState
from .service import Asked, conversion_rule, to_out

router = service_router(
    prefix="/inquiries",
    tags=["inquiries"],
    responses=problems(404, 409, descriptions={404: "Not found: no such inquiry"}),
)
Sort = Annotated[
    Literal["asked_at", "-asked_at"], Query(description="`asked_at` oldest first (default), `-asked_at` newest first.")
]


@router.post(
    "/intake",
    status_code=status.HTTP_201_CREATED,
    summary="A1 · The shop-chat gateway hands over an inquiry",
    responses=resent(schemas.InquiryOut, "A resend: the inquiry it made"),
)
async def intake(
    body: schemas.InquiryIntakeIn, service: Inquiries, actor: ServiceAccount, response: Response
) -> schemas.InquiryOut:
    """Roles: service (the shop-chat gateway). A resend of the same `(channel, channel_message_id)`
    answers 200 with the inquiry it made. Converted at once when the customer's order within the
    window is already known (an order placed later converts it then)."""
    record, created = await service.record(
        Asked(
            channel=body.channel,
            channel_message_id=body.channel_message_id,
            customer_id=body.customer_id,
            customer_handle=body.customer_handle,
            products=body.products,
            question=body.question,
            agent=body.agent,
            asked_at=body.asked_at,
            first_reply_at=body.first_reply_at,
        ),
        actor,
    )
    response.status_code = status.HTTP_201_CREATED if created else status.HTTP_200_OK
    response.headers["Location"] = f"/inquiries/{record.id}"
    return to_out(record)


@router.post("", status_code=status.HTTP_201_CREATED, summary="A1 · An agent records an inquiry by hand")
async def record_inquiry(
    body: schemas.InquiryIn, service: Inquiries, actor: AgentOrSupervisor, response: Response
) -> schemas.InquiryOut:
    """Roles: agent, supervisor. The caller is the agent who served the customer."""
    record, _ = await service.record(
        Asked(
            channel=body.channel,
            customer_id=body.customer_id,
            customer_handle=body.customer_handle,
            products=body.products,
            question=body.question,
            agent=actor.subject,
            asked_at=body.asked_at or service.clock.now(),
            first_reply_at=body.first_reply_at,
        ),
        actor,
    )
    response.headers["Location"] = f"/inquiries/{record.id}"
    return to_out(record)


@router.get("/conversion-rule", summary="§1 · The conversion window in force")
async def get_conversion_rule(service: Inquiries, _: AgentOrSupervisor) -> schemas.ConversionRuleOut:
    """Roles: agent, supervisor."""
    return conversion_rule(service.settings.inquiry_conversion_days)


@router.get("", summary="§1 · List inquiries")
async def list_inquiries(
    service: Inquiries,
    _: AgentOrSupervisor,
    page: PageDep,
    sort: Sort = "asked_at",
    state: Annotated[InquiryState | None, Query()] = None,
    channel: Annotated[InquiryChannel | None, Query()] = None,
    agent: Annotated[str | None, Query(max_length=64)] = None,
    customer_id: Annotated[str | None, Query(max_length=64)] = None,
) -> Page[schemas.InquiryOut]:
    """Roles: agent, supervisor."""
    return await service.list(
        page, newest_first=sort == "-asked_at", state=state, channel=channel, agent=agent, customer_id=customer_id
    )


@router.get("/follow-up", summary="Seed 002 · Unconverted inquiries whose window has closed: the follow-up queue")
async def follow_up_queue(
    service: Inquiries,
    _: AgentOrSupervisor,
    page: PageDep,
    sort: Sort = "asked_at",
    state: Annotated[
        Literal[InquiryState.open, InquiryState.failed] | None, Query(description="Default: both.")
    ] = None,
    agent: Annotated[str | None, Query(max_length=64)] = None,
    customer_id: Annotated[str | None, Query(max_length=64)] = None,
    followed_up: Annotated[bool | None, Query(description="Only those followed up already (or not yet).")] = None,
) -> Page[schemas.InquiryOut]:
    """Roles: agent, supervisor. Open and failed inquiries (failed ones keep their reason) whose
    conversion window ended before now."""
    return await service.follow_up_queue(
        page, newest_first=sort == "-asked_at", followed_up=followed_up, state=state, agent=agent,
        customer_id=customer_id,
    )  # fmt: skip


@router.get("/{inquiry_id}", summary="One inquiry, with the actions allowed now")
async def get_inquiry(inquiry_id: uuid.UUID, service: Inquiries, _: AgentOrSupervisor) -> schemas.InquiryOut:
    """Roles: agent, supervisor."""
    return await service.get(inquiry_id)


@router.get("/{inquiry_id}/history", summary="Audit trail: every transition with who, when, why")
async def get_history(inquiry_id: uuid.UUID, service: Inquiries, _: AgentOrSupervisor) -> list[TransitionOut]:
    """Roles: agent, supervisor."""
    return await service.history(inquiry_id)


@router.post("/{inquiry_id}/reply", summary="A3 · The agent's first reply (first-reply time, reply rate)")
async def reply(
    inquiry_id: uuid.UUID, body: schemas.ReplyIn, service: Inquiries, actor: Recorder
) -> schemas.InquiryOut:
    """Roles: service (the gateway), agent, supervisor. The first wins; not before the question
    (422 `A3.reply-after-question`)."""
    return await service.reply(inquiry_id, body, actor)


@router.post("/{inquiry_id}/detail-question", summary="A3 · A detail not on the product page: 24 h to answer")
async def ask_detail(
    inquiry_id: uuid.UUID, body: schemas.DetailQuestionIn, service: Inquiries, actor: AgentOrSupervisor
) -> schemas.InquiryOut:
    """Roles: agent, supervisor. Starts A3's 24 h clock; one question at a time (409
    `A3.one-question-at-a-time`)."""
    return await service.ask_detail(inquiry_id, body, actor)


@router.post("/{inquiry_id}/detail-answer", summary="A3 · The answer, and when and how the customer was told")
async def answer_detail(
    inquiry_id: uuid.UUID, body: schemas.DetailAnswerIn, service: Inquiries, actor: AgentOrSupervisor
) -> schemas.InquiryOut:
    """Roles: agent, supervisor. Stops A3's clock (after 24 h: breached). No question waiting: 409
    `A3.question-pending`."""
    return await service.answer_detail(inquiry_id, body, actor)


@router.post("/{inquiry_id}/fail", summary="A1 · Did not convert: the reason, kept for analysis")
async def fail(
    inquiry_id: uuid.UUID, body: schemas.FailIn, service: Inquiries, actor: AgentOrSupervisor
) -> schemas.InquiryOut:
    """Roles: agent, supervisor. From `open` only. An order within the window still converts it."""
    return await service.fail(inquiry_id, body, actor)


@router.post("/{inquiry_id}/follow-up", summary="Seed 002 · The follow-up of an unconverted inquiry")
async def follow_up(
    inquiry_id: uuid.UUID, body: schemas.FollowUpIn, service: Inquiries, actor: AgentOrSupervisor
) -> schemas.InquiryOut:
    """Roles: agent, supervisor. Open or failed inquiries."""
    return await service.follow_up(inquiry_id, body, actor)
