"""What every case use case shares: the unit of work's session, the clock, the SLA clocks, the
case's workflow by kind (transitions with their audit row, clocks and events), and who may see a case."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from aftersales_chassis import Clock, InvalidTransition, NotFound, Principal, Role
from aftersales_sla import SlaClocks
from aftersales_workflow import Transition, WorkflowRunner

from . import schemas
from .models import Case
from .repository import CaseRepository
from .state import FLOWS, FOLLOW_RETURN

# Inside the shop: everyone who works cases may see any of them (a customer only their own).
_STAFF_ROLES = (Role.agent, Role.supervisor, Role.warehouse, Role.finance, Role.qc)


def to_out(record: Case) -> schemas.CaseOut:
    out = schemas.CaseOut.model_validate(record)
    out.allowed_actions = [a for a in FLOWS[record.kind].allowed_actions(record.state) if a != FOLLOW_RETURN]
    return out


def is_staff(actor: Principal) -> bool:
    return any(actor.has(role) for role in _STAFF_ROLES)


class CaseFlow:
    def __init__(self, session: AsyncSession, clock: Clock, sla: SlaClocks) -> None:
        self.session = session
        self.clock = clock
        self.sla = sla
        self.repository = CaseRepository(session)

    def flow(self, record: Case) -> WorkflowRunner:
        """The case's own kind's table, bound to this unit of work."""
        return FLOWS[record.kind].bind(self.session, self.clock, self.sla)

    def require(self, record: Case, action: str) -> tuple[WorkflowRunner, Transition]:
        """The case's runner and the transition ``action`` takes now, or the one 409: from the
        wrong state, and for an action another kind's table has (P2 on a C case)."""
        table = FLOWS[record.kind]
        if not any(t.action == action for t in table.transitions):
            raise InvalidTransition(
                action,
                str(record.state),
                table.allowed_actions(record.state),
                resource="case",
                rule=f"§3.not-a-step-of-{record.kind}",
            )
        runner = self.flow(record)
        return runner, runner.require(record, action)

    async def locked(self, case_id: uuid.UUID) -> Case:
        return await self.repository.get(case_id, for_update=True)

    async def visible(self, case_id: uuid.UUID, actor: Principal) -> Case:
        """The case, if ``actor`` may see it: staff any, a customer their own; 404 otherwise
        (another customer's case is not acknowledged to exist)."""
        record = await self.repository.get(case_id)
        if is_staff(actor) or (actor.has(Role.customer) and record.customer_id == actor.subject):
            return record
        raise NotFound(f"case {case_id} does not exist", resource="case", id=str(case_id))
