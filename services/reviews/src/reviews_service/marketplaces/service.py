"""The amendment policy in force per marketplace: the operator's setting, else the rule the
marketplace publishes (PROCESSES.md §10: Taobao once within 30 days; some forbid asking)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from aftersales_chassis import Clock, NotFound, Principal

from . import schemas
from .models import MarketplacePolicy
from .port import AmendPolicy, MarketplacePort
from .repository import MarketplacePolicyRepository


def _out(marketplace: str, policy: AmendPolicy, row: MarketplacePolicy | None) -> schemas.AmendPolicyOut:
    return schemas.AmendPolicyOut(
        marketplace=marketplace,
        allowed=policy.allowed,
        max_requests=policy.max_requests,
        window_days=policy.window_days,
        source="operator" if row is not None else "published",
        updated_by=row.updated_by if row is not None else None,
        updated_at=row.updated_at if row is not None else None,
    )


class MarketplaceService:
    def __init__(self, session: AsyncSession, clock: Clock, port: MarketplacePort) -> None:
        self.clock = clock
        self.port = port
        self.policies = MarketplacePolicyRepository(session)

    def require_known(self, marketplace: str) -> AmendPolicy:
        published = self.port.marketplaces().get(marketplace)
        if published is None:
            raise NotFound(
                f"marketplace {marketplace!r} is not served; known: {', '.join(sorted(self.port.marketplaces()))}",
                resource="marketplace",
                id=marketplace,
            )
        return published

    async def policy(self, marketplace: str) -> AmendPolicy:
        published = self.require_known(marketplace)
        row = await self.policies.find(marketplace)
        if row is None:
            return published
        return AmendPolicy(allowed=row.amend_allowed, max_requests=row.max_requests, window_days=row.window_days)

    async def list(self) -> list[schemas.AmendPolicyOut]:
        rows = await self.policies.all()
        out = []
        for marketplace, published in sorted(self.port.marketplaces().items()):
            row = rows.get(marketplace)
            policy = published if row is None else AmendPolicy(row.amend_allowed, row.max_requests, row.window_days)
            out.append(_out(marketplace, policy, row))
        return out

    async def set(self, marketplace: str, data: schemas.AmendPolicyIn, actor: Principal) -> schemas.AmendPolicyOut:
        self.require_known(marketplace)
        row = MarketplacePolicy(
            marketplace=marketplace,
            amend_allowed=data.allowed,
            max_requests=data.max_requests if data.allowed else 0,
            window_days=data.window_days if data.allowed else 0,
            updated_by=actor.subject,
            updated_at=self.clock.now(),
        )
        await self.policies.put(row)
        return _out(marketplace, AmendPolicy(row.amend_allowed, row.max_requests, row.window_days), row)
