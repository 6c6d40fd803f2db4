"""The audit trail as the API shows it, the same for every aggregate."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field


class TransitionOut(BaseModel):
    """One entry of an aggregate's history: who took which step, when, from where to where, why."""

    model_config = ConfigDict(
        from_attributes=True,
        json_schema_extra={
            "examples": [
                {
                    "action": "approve",
                    "step": "T1A3",
                    "from_state": "requested",
                    "to_state": "approved",
                    "actor": "sam",
                    "reason": "photos show the damage",
                    "correlation_id": "5f0c0e8d2b2a4f51a7c3a0c3d1e2f4a5",
                    "at": "2026-11-24T02:15:00Z",
                }
            ]
        },
    )

    action: str = Field(description="The API action taken (e.g. `approve`); `open` for the aggregate's creation.")
    step: str = Field(description="The process step of PROCESSES.md (e.g. `T1A3`).")
    from_state: str | None = Field(description="The state before; null when the aggregate was created.")
    to_state: str = Field(description="The state after (equal to `from_state` for an action that records a fact).")
    actor: str = Field(description="The token subject who took the step.")
    reason: str | None
    correlation_id: str | None = Field(
        default=None, description="The request's correlation id; the events it caused carry the same."
    )
    at: datetime
