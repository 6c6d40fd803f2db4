"""Evidence of a case (C1, K1, P1; QC's report at P2B2): photos and documents in the attachment
store (ADR 0020: the type sniffed from the bytes, the size limited, refusals 422), a row per
upload in ``case_attachments``. Staff and the customer the case belongs to upload and read them;
anyone else is told the case does not exist."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from aftersales_chassis import Clock, Principal
from aftersales_chassis.errors import Conflict
from aftersales_chassis.storage import AttachmentPolicy, AttachmentStore
from aftersales_sla import SlaClocks

from . import schemas
from .flow import CaseFlow
from .models import ENDED, CaseAttachment
from .state import NEXT_STEPS

EVIDENCE = AttachmentPolicy(rule_prefix="evidence")


class EvidenceService(CaseFlow):
    def __init__(self, session: AsyncSession, clock: Clock, sla: SlaClocks, store: AttachmentStore) -> None:
        super().__init__(session, clock, sla)
        self.store = store

    async def upload(
        self, case_id: uuid.UUID, data: bytes, filename: str | None, actor: Principal
    ) -> schemas.AttachmentOut:
        record = await self.visible(case_id, actor)
        if record.state in ENDED:
            raise Conflict(f"case {case_id} has ended ({record.state}): no more evidence", rule="evidence.case-open")
        stored = await self.store.put(data, policy=EVIDENCE, filename=filename, field_name="body.file")
        nxt = NEXT_STEPS[record.kind].get(record.state)
        row = CaseAttachment(
            id=uuid.uuid4(),
            case_id=record.id,
            key=stored.key,
            content_type=stored.content_type,
            size=stored.size,
            sha256=stored.sha256,
            filename=filename,
            step=nxt.step if nxt else "§3",
            uploaded_by=actor.subject,
            uploaded_at=self.clock.now(),
        )
        await self.repository.add(row)
        return schemas.AttachmentOut.model_validate(row)

    async def list(self, case_id: uuid.UUID, actor: Principal) -> list[schemas.AttachmentOut]:
        await self.visible(case_id, actor)
        return [schemas.AttachmentOut.model_validate(a) for a in await self.repository.attachments(case_id)]

    async def read(
        self, case_id: uuid.UUID, attachment_id: uuid.UUID, actor: Principal
    ) -> tuple[schemas.AttachmentOut, bytes]:
        await self.visible(case_id, actor)
        row = await self.repository.attachment(case_id, attachment_id)
        return schemas.AttachmentOut.model_validate(row), await self.store.read(row.key)
