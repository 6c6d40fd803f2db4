"""HTTP routes of the marketplaces' amendment policies (W3, PROCESSES.md §10)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Path

from aftersales_chassis import problems, service_router
from aftersales_chassis.roles import AgentOrSupervisor, SupervisorOnly

from . import schemas
from .dependencies import Marketplaces

router = service_router(
    prefix="/marketplaces",
    tags=["marketplaces"],
    responses=problems(404, descriptions={404: "Not found: no such marketplace"}),
)

MarketplaceName = Annotated[str, Path(pattern=r"^[a-z][a-z0-9_-]{1,31}$", examples=["taobao"])]


@router.get("", summary="W3 · The amendment policy in force per marketplace")
async def list_policies(service: Marketplaces, _: AgentOrSupervisor) -> list[schemas.AmendPolicyOut]:
    """Roles: agent, supervisor. Whether asking a reviewer to amend is allowed, how many times,
    within how many days of the review; `source` says whether an operator changed it."""
    return await service.list()


@router.put("/{marketplace}/amend-policy", summary="W3 · Set a marketplace's amendment policy")
async def set_policy(
    marketplace: MarketplaceName, body: schemas.AmendPolicyIn, service: Marketplaces, actor: SupervisorOnly
) -> schemas.AmendPolicyOut:
    """Role: supervisor. Applies to amendment requests from now on; a case keeps the window
    in force when it was asked (W4 follows up until that window closes)."""
    return await service.set(marketplace, body, actor)
