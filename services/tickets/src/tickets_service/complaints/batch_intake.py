"""A channel gateway's batch (§4, ADR 0023): many messages in one request, each what
`POST /complaints/intake` makes of it alone, each with its own outcome.

Validated item by item before anything is written: a bad item is refused with its problem
(naming `body[<index>].<field>`) and left out, the others go on. The items that pass are
recorded in one transaction (:meth:`ComplaintIntake.record_many`): all of them or, if the
transaction itself fails (the database unreachable), none, and the request answers that
problem; the gateway sends the batch again, which is safe, since every item is idempotent by
its (channel, channel_message_id)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from pydantic import ValidationError

from aftersales_chassis import Principal
from aftersales_chassis.openapi import ProblemDetail, ProblemFieldError
from aftersales_chassis.problem_handlers import PROBLEM_BASE, error_message, field_path

from . import schemas
from .intake import Arrival
from .new_rows import ComplaintRecord
from .service import ComplaintService

NUL_MESSAGE = "must not contain the NUL character (\\u0000)"


def _nul_paths(value: Any, loc: tuple[Any, ...]) -> Iterator[tuple[Any, ...]]:
    """Where a raw item's text holds NUL, which PostgreSQL's text cannot store: refused per item
    here, not by the database for the whole batch."""
    if isinstance(value, str):
        if "\x00" in value:
            yield loc
    elif isinstance(value, dict):
        for key, inner in value.items():
            yield from _nul_paths(inner, (*loc, key))


def _refusal(index: int, errors: list[ProblemFieldError]) -> schemas.BatchItemOut:
    fields = ", ".join(sorted({e.field for e in errors}))
    problem = ProblemDetail(
        type=PROBLEM_BASE + "validation-error",
        title="Request validation failed",
        status=422,
        detail=f"Invalid fields: {fields}",
        errors=errors,
    )
    return schemas.BatchItemOut(
        index=index, channel_message_id=None, outcome="rejected", status=422, complaint=None, problem=problem
    )


def validate(items: list[Any]) -> tuple[list[tuple[int, schemas.IntakeIn]], dict[int, schemas.BatchItemOut]]:
    """Each item on its own: the valid ones with their index, and each refused one's result."""
    valid: list[tuple[int, schemas.IntakeIn]] = []
    refused: dict[int, schemas.BatchItemOut] = {}
    for index, item in enumerate(items):
        errors: list[ProblemFieldError] = []
        if not isinstance(item, dict):
            message = "each message must be a JSON object"
            errors.append(ProblemFieldError(field=field_path(("body", index)), message=message, code="model_type"))
        else:
            try:
                valid_item = schemas.IntakeIn.model_validate(item)
            except ValidationError as invalid:
                errors = [
                    ProblemFieldError(
                        field=field_path(("body", index, *e["loc"])), message=error_message(e), code=e["type"]
                    )
                    for e in invalid.errors()
                ]
            errors += [
                ProblemFieldError(field=field_path(("body", index, *loc)), message=NUL_MESSAGE, code="nul_character")
                for loc in _nul_paths(item, ())
            ]
            if not errors:
                valid.append((index, valid_item))
                continue
        refused[index] = _refusal(index, errors)
        message_id = item.get("channel_message_id") if isinstance(item, dict) else None
        refused[index].channel_message_id = message_id if isinstance(message_id, str) else None
    return valid, refused


def _brief(record: ComplaintRecord) -> schemas.ComplaintBrief:
    return schemas.ComplaintBrief(
        id=record.id, state=record.state, merged_into=record.merged_into, priority=record.priority, major=record.major
    )


async def take_batch(service: ComplaintService, items: list[Any], actor: Principal) -> schemas.IntakeBatchOut:
    valid, results = validate(items)
    arrivals = [
        Arrival(
            channel=body.channel,
            channel_message_id=body.channel_message_id,
            received_at=body.received_at,
            sender=body.sender,
            order_id=body.order_id,
            subject=body.subject,
            body=body.body,
        )
        for _, body in valid
    ]
    recorded = await service.intake.record_many(arrivals, actor) if arrivals else []
    for (index, body), (record, created) in zip(valid, recorded, strict=True):
        results[index] = schemas.BatchItemOut(
            index=index,
            channel_message_id=body.channel_message_id,
            outcome="created" if created else "resent",
            status=201 if created else 200,
            complaint=_brief(record),
            problem=None,
        )
    ordered = [results[i] for i in range(len(items))]
    count = {outcome: sum(r.outcome == outcome for r in ordered) for outcome in ("created", "resent", "rejected")}
    return schemas.IntakeBatchOut(
        results=ordered, created=count["created"], resent=count["resent"], rejected=count["rejected"]
    )
