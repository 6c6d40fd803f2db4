"""HTTP routes of complaints (PROCESSES.md §4). Thin: roles declared, the use case called."""

from __future__ import annotations

import uuid
from typing import Annotated, Any, Literal

from fastapi import Body, Query, Request, Response, status

from aftersales_chassis import Page, PageDep, problems, resent, service_router
from aftersales_chassis.dates import Instant
from aftersales_chassis.roles import AgentOrSupervisor, ServiceAccount, SupervisorOnly
from aftersales_chassis.storage import AttachmentsDep
from aftersales_workflow import TransitionOut

from . import schemas
from .batch_intake import take_batch
from .dependencies import ComplaintReader, Complaints, MerchantOnly
from .email_intake import take_email
from .filters import ComplaintFilters
from .intake import Arrival
from .merging import merge, unmerge
from .models import Channel, ComplaintState, Priority
from .service import to_out

router = service_router(
    prefix="/complaints",
    tags=["complaints"],
    responses=problems(404, 409, descriptions={404: "Not found: no such complaint (or not yours)"}),
)


RESENT = resent(schemas.ComplaintOut, "A resend (or a reply): the complaint recorded before")
"""Intake answers 201 for a new complaint and 200 for one it holds: both documented."""


@router.post(
    "/intake",
    status_code=status.HTTP_201_CREATED,
    summary="§4 · A channel gateway hands over a complaint",
    responses=RESENT,
)
async def intake(
    body: schemas.IntakeIn, service: Complaints, actor: ServiceAccount, response: Response
) -> schemas.ComplaintOut:
    """Roles: service (the phone, forum, WeChat, Weibo, shop-chat and e-mail gateways).
    Recorded now with the order, customer and merchant the order read model knows (an unknown
    order id is kept as given). A resend of the same `(channel, channel_message_id)` answers
    200 with the complaint it made; the same customer about the same order on another
    channel is merged into the earliest live complaint (state `merged`). Starts §4.2 (owner,
    1 h) and §4.3 (reply, 2 h); forum and Weibo also §4.4 (merchant's public reply, 1 wd);
    phone goes to the dedicated person (state `routed`, §4.5)."""
    record, created = await service.intake.record(
        Arrival(
            channel=body.channel,
            channel_message_id=body.channel_message_id,
            received_at=body.received_at,
            sender=body.sender,
            order_id=body.order_id,
            subject=body.subject,
            body=body.body,
            category=body.category,
            brand=body.brand,
        ),
        actor,
    )
    response.status_code = status.HTTP_201_CREATED if created else status.HTTP_200_OK
    response.headers["Location"] = f"/complaints/{record.id}"
    return to_out(record)


_BATCH_BODY = {
    "required": True,
    "content": {
        "application/json": {
            "schema": {
                "type": "array",
                "minItems": 1,
                "maxItems": schemas.MAX_BATCH,
                "items": schemas.IntakeIn.model_json_schema(),
            },
            "example": schemas.INTAKE_BATCH_REQUEST_EXAMPLE,
        }
    },
}


@router.post(
    "/intake:batch",
    summary="§4 · A channel gateway hands over many messages at once, each with its own outcome",
    openapi_extra={"requestBody": _BATCH_BODY},
    responses={
        200: {
            "description": "Per-message outcome in the request's order (207-style, sent as 200): `created`, "
            "`resent` (the complaint its (channel, channel_message_id) made before) or `rejected` with its "
            "problem naming `body[<index>].<field>`. A bad message never fails the others.",
            "content": {"application/json": {"example": schemas.INTAKE_BATCH_EXAMPLE}},
        }
    },
)
async def intake_batch(
    items: Annotated[list[Any], Body(min_length=1, max_length=schemas.MAX_BATCH)],
    service: Complaints,
    actor: ServiceAccount,
) -> schemas.IntakeBatchOut:
    """Roles: service (the channel gateways). Up to 200 messages of `POST /complaints/intake`'s
    shape; each is what that endpoint makes of it alone, as if they arrived one after another
    in the order sent: idempotent by `(channel, channel_message_id)` (a resend, in this batch
    or an earlier request, is `resent` with the complaint it made), the same customer about
    the same order merged into the earliest live complaint (in this batch too), the same
    clocks (§4.2, §4.3; §4.4 forum and Weibo; §4.5 phone), audit rows and `ComplaintOpened`.
    Each message is validated on its own: a bad one is `rejected` (status 422, its problem's
    `errors` naming `body[<index>].<field>`) and nothing is written for it. The messages that
    pass are written in one transaction, all or none: when the transaction itself fails (the
    database unreachable: 503) nothing is written, and the gateway sends the batch again."""
    return await take_batch(service, items, actor)


RAW_EMAIL = {
    "requestBody": {
        "required": True,
        "description": "The raw RFC 5322 message, as an MTA pipe or an IMAP poller hands it over.",
        # message/rfc822 is what it is; application/octet-stream for clients that know no better.
        "content": {
            "message/rfc822": {"schema": {"type": "string", "format": "binary"}},
            "application/octet-stream": {"schema": {"type": "string", "format": "binary"}},
        },
    }
}


@router.post(
    "/intake/email",
    status_code=status.HTTP_201_CREATED,
    summary="§4 · The e-mail gateway hands over a raw message",
    openapi_extra=RAW_EMAIL,
    responses=RESENT,
)
async def intake_email(
    request: Request, service: Complaints, store: AttachmentsDep, actor: ServiceAccount, response: Response
) -> schemas.ComplaintOut:
    """Roles: service. Headers decoded (RFC 2047 encoded words), bodies from their charset
    (GB2312/GBK too), attachments kept (their type read from the content). A reply whose
    `In-Reply-To`/`References` names a message we hold joins that complaint (200; one waiting on
    the customer is worked on again); a resend of the same Message-ID is 200 with the same
    complaint. Not RFC 5322 (no From, no Date, a Date without a zone): 422 `§4.email-rfc5322`."""
    record, created = await take_email(service, store, await request.body(), actor)
    response.status_code = status.HTTP_201_CREATED if created else status.HTTP_200_OK
    response.headers["Location"] = f"/complaints/{record.id}"
    return to_out(record)


@router.post("", status_code=status.HTTP_201_CREATED, summary="§4 · An agent records a complaint by hand")
async def open_complaint(
    body: schemas.ComplaintIn, service: Complaints, actor: AgentOrSupervisor, response: Response
) -> schemas.ComplaintOut:
    """Roles: agent, supervisor. Recorded now, on the channel it came by; clocks as for `/complaints/intake`.
    Carries the customer's E3 flags from reviews (`customer_flags`), if any."""
    record, _ = await service.intake.record(
        Arrival(
            channel=body.channel,
            received_at=service.clock.now(),
            sender=body.sender,
            order_id=body.order_id,
            subject=body.subject,
            body=body.body,
            category=body.category,
            brand=body.brand,
        ),
        actor,
    )
    response.headers["Location"] = f"/complaints/{record.id}"
    return (await service.shown([to_out(record)], actor))[0]


Sort = Annotated[
    Literal["received_at", "-received_at"],
    Query(description="`received_at` oldest first (default), `-received_at` newest first."),
]


@router.get("", summary="§4 · List complaints, oldest or newest first, filtered")
async def list_complaints(
    service: Complaints,
    actor: ComplaintReader,
    page: PageDep,
    state: Annotated[ComplaintState | None, Query(description="Filter by state.")] = None,
    channel: Annotated[Channel | None, Query()] = None,
    priority: Annotated[Priority | None, Query()] = None,
    owner: Annotated[str | None, Query(max_length=64)] = None,
    order_id: Annotated[str | None, Query(max_length=64)] = None,
    customer_id: Annotated[str | None, Query(max_length=64, description="One customer's complaints.")] = None,
    merchant_id: Annotated[str | None, Query(max_length=64, description="One merchant's complaints.")] = None,
    major: Annotated[bool | None, Query(description="Only major complaints (or only others).")] = None,
    received_from: Annotated[Instant | None, Query(description="Received at or after (with a UTC offset).")] = None,
    received_to: Annotated[Instant | None, Query(description="Received before (with a UTC offset).")] = None,
    sort: Sort = "received_at",
) -> Page[schemas.ComplaintOut]:
    """Roles: staff (all), customer (their own), merchant (theirs). A customer's or merchant's
    own scope always applies: asking for another's `customer_id` or `merchant_id` lists nothing."""
    return await service.list(
        page, actor, newest_first=sort == "-received_at",
        filters=ComplaintFilters(state=state, channel=channel, priority=priority, owner=owner, order_id=order_id,
                                 customer_id=customer_id, merchant_id=merchant_id, major=major,
                                 received_from=received_from, received_to=received_to),
    )  # fmt: skip


@router.get("/{record_id}", summary="One complaint, with the actions allowed now")
async def get_complaint(record_id: uuid.UUID, service: Complaints, actor: ComplaintReader) -> schemas.ComplaintOut:
    """Roles: staff, the customer it is theirs, the merchant concerned (404 for anyone else)."""
    return await service.get(record_id, actor)


@router.get("/{record_id}/history", summary="Audit trail: every transition with who, when, why")
async def get_history(record_id: uuid.UUID, service: Complaints, actor: ComplaintReader) -> list[TransitionOut]:
    """Roles: as `GET /complaints/{id}`."""
    return await service.history(record_id, actor)


@router.get("/{record_id}/messages", summary="What the customer, the shop and the merchant said, in order")
async def get_messages(record_id: uuid.UUID, service: Complaints, actor: ComplaintReader) -> list[schemas.MessageOut]:
    """Roles: as `GET /complaints/{id}`."""
    return await service.messages(record_id, actor)


@router.get("/{record_id}/attachments", summary="The files that came with the complaint's messages")
async def list_attachments(
    record_id: uuid.UUID, service: Complaints, actor: ComplaintReader
) -> list[schemas.AttachmentOut]:
    """Roles: as `GET /complaints/{id}`."""
    return await service.attachments(record_id, actor)


@router.get(
    "/{record_id}/attachments/{attachment_id}",
    summary="One attachment's bytes, with the type read from its content",
    response_class=Response,
    responses={200: {"content": {"application/octet-stream": {}}}},
)
async def get_attachment(
    record_id: uuid.UUID, attachment_id: uuid.UUID, service: Complaints, store: AttachmentsDep, actor: ComplaintReader
) -> Response:
    """Roles: staff, and the customer or merchant the complaint belongs to (404 for anyone else)."""
    found = await service.attachment(record_id, attachment_id, actor)
    return Response(await store.read(found.storage_key), media_type=found.content_type)


@router.post("/{record_id}/assign", summary="§4.2 · Name the owner who investigates")
async def assign(
    record_id: uuid.UUID, body: schemas.AssignIn, service: Complaints, actor: AgentOrSupervisor
) -> schemas.ComplaintOut:
    """Roles: agent, supervisor. Stops §4.2. A phone complaint still routed to the dedicated
    person (§4.5) can be assigned only by a supervisor (403 `§4.5.useronly`)."""
    return await service.assign(record_id, body, actor)


@router.post("/{record_id}/accept", summary="§4.5 · The dedicated person takes the phone complaint")
async def accept(record_id: uuid.UUID, service: Complaints, actor: AgentOrSupervisor) -> schemas.ComplaintOut:
    """Roles: agent, supervisor; only the person it is routed to (403 `§4.5.routed-to`). Stops §4.5 and §4.2."""
    return await service.accept(record_id, actor)


@router.post("/{record_id}/reply", summary="§4.3 · Reply to the customer")
async def reply(
    record_id: uuid.UUID, body: schemas.ReplyIn, service: Complaints, actor: AgentOrSupervisor
) -> schemas.ComplaintOut:
    """Roles: agent, supervisor. The first reply stops §4.3."""
    return await service.reply(record_id, body, actor)


@router.post("/{record_id}/merchant-reply", summary="§4.4 · The merchant's public reply")
async def merchant_reply(
    record_id: uuid.UUID, body: schemas.ReplyIn, service: Complaints, actor: MerchantOnly
) -> schemas.ComplaintOut:
    """Roles: merchant, on its own complaints only (404 for any other). Stops §4.4."""
    return await service.merchant_reply(record_id, body, actor)


@router.post("/{record_id}/wait", summary="§4 · Waiting on the customer: the clocks pause")
async def wait(
    record_id: uuid.UUID, body: schemas.ReasonIn, service: Complaints, actor: AgentOrSupervisor
) -> schemas.ComplaintOut:
    """Roles: agent, supervisor. Pauses §4.2, §4.3 and §4.4: no warning or breach while paused."""
    return await service.wait(record_id, body, actor)


@router.post("/{record_id}/resume", summary="§4 · Work on it again: the clocks resume")
async def resume(
    record_id: uuid.UUID, body: schemas.ReasonIn, service: Complaints, actor: AgentOrSupervisor
) -> schemas.ComplaintOut:
    """Roles: agent, supervisor (a customer's e-mail reply resumes it too). The due times are
    recomputed on the business calendar from the time that was left."""
    return await service.resume(record_id, body, actor)


@router.put("/{record_id}/priority", summary="§4 · A supervisor changes the priority or the major flag")
async def prioritise(
    record_id: uuid.UUID, body: schemas.PriorityIn, service: Complaints, actor: SupervisorOnly
) -> schemas.ComplaintOut:
    """Roles: supervisor. Flagging major publishes `MajorComplaintRaised`."""
    return await service.prioritise(record_id, body, actor)


@router.post("/{record_id}/merge", summary="§4 · Merge into the earlier complaint of the same customer and order")
async def merge_complaint(
    record_id: uuid.UUID, body: schemas.MergeIn, service: Complaints, actor: AgentOrSupervisor
) -> schemas.ComplaintOut:
    """Roles: agent, supervisor. Only the same customer about the same order (422
    `§4.merge-same-customer-order`), only into the earlier one, whose clocks are kept (422
    `§4.merge-into-earliest`); this one's clocks stop. Audited on both; `unmerge` reverses it."""
    return await merge(service, record_id, body, actor)


@router.post("/{record_id}/unmerge", summary="§4 · Take a merged complaint back out")
async def unmerge_complaint(
    record_id: uuid.UUID, body: schemas.ReasonIn, service: Complaints, actor: AgentOrSupervisor
) -> schemas.ComplaintOut:
    """Roles: agent, supervisor. Live again on its own (state `open`), §4.2 and §4.3 started afresh."""
    return await unmerge(service, record_id, body, actor)


@router.post("/{record_id}/close", summary="§4 · Close the complaint")
async def close(
    record_id: uuid.UUID, body: schemas.CloseIn, service: Complaints, actor: AgentOrSupervisor
) -> schemas.ComplaintOut:
    """Roles: agent, supervisor. Publishes `ComplaintClosed` (for it and for every complaint merged into it)."""
    return await service.close(record_id, body, actor)


@router.post("/{record_id}/reopen", summary="§4 · Reopen a closed complaint")
async def reopen(
    record_id: uuid.UUID, body: schemas.ReasonIn, service: Complaints, actor: AgentOrSupervisor
) -> schemas.ComplaintOut:
    """Roles: agent, supervisor. Back to its owner (or to anyone), §4.3 starts again; publishes `ComplaintOpened`."""
    return await service.reopen(record_id, body, actor)
