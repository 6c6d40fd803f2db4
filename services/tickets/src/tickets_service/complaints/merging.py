"""One complaint, not six (§4): the same customer about the same order on several channels.
Intake merges a newcomer into the earliest live complaint by itself (ComplaintService.record);
here an agent merges two by hand, or takes one back out. Both sides are audited (merge/absorb,
unmerge/release) and a merge is reversible while the complaint it went into is live."""

from __future__ import annotations

import uuid

from aftersales_chassis import Principal, RuleViolation

from . import schemas
from .models import PUBLIC_CHANNELS, Complaint
from .service import ComplaintService, to_out


async def _both(service: ComplaintService, first: uuid.UUID, second: uuid.UUID) -> tuple[Complaint, Complaint]:
    """Both complaints locked, in id order whoever calls (two opposite merges cannot deadlock)."""
    locked = {i: await service.repository.get(i, for_update=True) for i in sorted({first, second})}
    return locked[first], locked[second]


async def merge(
    service: ComplaintService, record_id: uuid.UUID, data: schemas.MergeIn, actor: Principal
) -> schemas.ComplaintOut:
    if data.into == record_id:
        raise RuleViolation("§4.merge-self", "a complaint cannot be merged into itself", field="body.into")
    record, primary = await _both(service, record_id, data.into)
    service.flow.require(record, "merge")
    service.flow.require(primary, "absorb")
    if (
        record.customer_id is None
        or record.order_id is None
        or (record.customer_id, record.order_id)
        != (
            primary.customer_id,
            primary.order_id,
        )
    ):
        raise RuleViolation(
            "§4.merge-same-customer-order",
            "only complaints of the same customer about the same order are merged",
            field="body.into",
        )
    if (primary.received_at, primary.created_at) > (record.received_at, record.created_at):
        # The earliest complaint's clocks are the ones kept: it is always the one merged into.
        raise RuleViolation(
            "§4.merge-into-earliest",
            f"complaint {primary.id} arrived after {record.id}: merge the later one into the earlier",
            field="body.into",
        )
    await service.flow.apply(record, "merge", actor, reason=f"into {primary.id}: {data.reason}")
    record.merged_into = primary.id
    for member in await service.repository.merged_into(record.id):
        member.merged_into = primary.id  # what was folded into it follows it
    await service.flow.apply(primary, "absorb", actor, reason=f"merged {record.id}: {data.reason}")
    return to_out(record)


async def unmerge(
    service: ComplaintService, record_id: uuid.UUID, data: schemas.ReasonIn, actor: Principal
) -> schemas.ComplaintOut:
    """Takes a merged complaint back out: live again on its own, its owner and reply clocks
    started afresh (a forum or Weibo one's merchant clock too)."""
    record = await service.repository.get(record_id, for_update=True)
    service.flow.require(record, "unmerge")
    assert record.merged_into is not None  # a merged complaint names its primary
    primary = await service.repository.get(record.merged_into, for_update=True)
    outcome = "public" if record.channel in PUBLIC_CHANNELS else None
    await service.flow.apply(record, "unmerge", actor, outcome=outcome, reason=f"out of {primary.id}: {data.reason}")
    record.merged_into, record.owner = None, None
    await service.flow.apply(primary, "release", actor, reason=f"unmerged {record.id}: {data.reason}")
    return to_out(record)
