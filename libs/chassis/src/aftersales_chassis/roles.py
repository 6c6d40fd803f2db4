"""The role sets endpoints admit, named once, and ready ``Annotated`` aliases for them.

A route says who may call it by the type of one parameter::

    async def approve(..., actor: SupervisorOnly) -> ...

A set only one service needs (returns' refund approver: a supervisor, or an agent holding
``refund:approve``) stays in that service, built from these pieces::

    REFUND_APPROVER = (*SUPERVISOR, Grant(Role.agent, "refund:approve"))
    RefundApprover = Annotated[Principal, Depends(allow(*REFUND_APPROVER))]

The order of a set is the order a 403's ``allowed`` list and the OpenAPI ``x-roles`` show.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from .auth import Grant, Principal, Role, allow

RoleSet = tuple[Role | Grant, ...]

CUSTOMER: RoleSet = (Role.customer,)
STAFF: RoleSet = (Role.agent, Role.supervisor)
"""Customer service: agents and their supervisors."""
SUPERVISOR: RoleSet = (Role.supervisor,)
WAREHOUSE: RoleSet = (Role.warehouse,)
FINANCE: RoleSet = (Role.finance,)
MERCHANT: RoleSet = (Role.merchant,)
QC: RoleSet = (Role.qc,)
"""Quality control (品管部): inspects goods sent back for a quality complaint (P2B2)."""
SERVICE: RoleSet = (Role.service,)
"""Another system holding a service token (the shop's order system, scanner gateways)."""
BACK_OFFICE: RoleSet = (*STAFF, *WAREHOUSE, *FINANCE)
"""Everyone inside the shop: who may read cases, parcels, orders and the calendar."""

AgentOrSupervisor = Annotated[Principal, Depends(allow(*STAFF))]
SupervisorOnly = Annotated[Principal, Depends(allow(*SUPERVISOR))]
WarehouseOnly = Annotated[Principal, Depends(allow(*WAREHOUSE))]
FinanceOnly = Annotated[Principal, Depends(allow(*FINANCE))]
QcOnly = Annotated[Principal, Depends(allow(*QC))]
ServiceAccount = Annotated[Principal, Depends(allow(*SERVICE))]
BackOfficeReader = Annotated[Principal, Depends(allow(*BACK_OFFICE))]
