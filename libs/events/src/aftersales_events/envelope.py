"""The CloudEvents 1.0 envelope (structured JSON mode) every message carries."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from .catalogue import EventPayload
from .context import current_causation_id, current_correlation_id


class EventEnvelope(BaseModel):
    """CloudEvents 1.0 attributes plus the ``correlationid``/``causationid`` extensions."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    specversion: Literal["1.0"] = "1.0"
    id: uuid.UUID
    source: str = Field(examples=["/aftersales/returns"])
    type: str = Field(examples=["aftersales.returns.RefundApproved.v1"])
    time: datetime
    subject: str = Field(description="The aggregate id; also the Kafka message key.")
    datacontenttype: Literal["application/json"] = "application/json"
    dataschema: str | None = None
    correlationid: str
    causationid: str | None = None
    data: dict[str, Any]

    @classmethod
    def wrap(cls, payload: EventPayload, *, subject: str, time: datetime) -> EventEnvelope:
        # Every value is made here from a validated payload: constructed, not validated again
        # (the outbox writes thousands per second; consumers validate what they receive).
        return cls.model_construct(
            id=uuid.uuid4(),
            source=f"/aftersales/{payload.producer}",
            type=payload.event_type(),
            time=time,
            subject=subject,
            dataschema=f"urn:aftersales:schema:{payload.event_type()}",
            correlationid=current_correlation_id(),
            causationid=current_causation_id(),
            data=payload.model_dump(mode="json"),
            specversion="1.0",
            datacontenttype="application/json",
        )

    def to_bytes(self) -> bytes:
        return self.model_dump_json().encode()
