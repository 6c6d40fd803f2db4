"""``Annotated`` aliases the returns routers use."""

from typing import Annotated

from fastapi import Depends

from aftersales_chassis import ClockDep, Principal, SessionDep, allow
from aftersales_sla import SlaDep

from ..requests.state import REQUESTERS
from .exchanges import ExchangesService
from .refunds import RefundsService
from .service import ReturnsService
from .state import CANCELLERS, REFUND_APPROVER


async def get_service(session: SessionDep, clock: ClockDep, sla: SlaDep) -> ReturnsService:
    return ReturnsService(session, clock, sla)


async def get_refunds(session: SessionDep, clock: ClockDep, sla: SlaDep) -> RefundsService:
    return RefundsService(session, clock, sla)


async def get_exchanges(session: SessionDep, clock: ClockDep, sla: SlaDep) -> ExchangesService:
    return ExchangesService(session, clock, sla)


Service = Annotated[ReturnsService, Depends(get_service)]
Refunds = Annotated[RefundsService, Depends(get_refunds)]
Exchanges = Annotated[ExchangesService, Depends(get_exchanges)]
RefundApprover = Annotated[Principal, Depends(allow(*REFUND_APPROVER))]
# T1 intake: the customer (their own order), staff, or the shop frontend on the customer's behalf.
Requester = Annotated[Principal, Depends(allow(*REQUESTERS))]
Canceller = Annotated[Principal, Depends(allow(*CANCELLERS))]
