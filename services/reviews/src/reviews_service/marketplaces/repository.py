"""Every query of the marketplace policies."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from .models import MarketplacePolicy


class MarketplacePolicyRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def all(self) -> dict[str, MarketplacePolicy]:
        return {row.marketplace: row for row in await self.session.scalars(select(MarketplacePolicy))}

    async def find(self, marketplace: str) -> MarketplacePolicy | None:
        return await self.session.get(MarketplacePolicy, marketplace, populate_existing=True)

    async def put(self, row: MarketplacePolicy) -> None:
        values = {c.name: getattr(row, c.name) for c in MarketplacePolicy.__table__.columns}
        statement = insert(MarketplacePolicy).values(**values)
        await self.session.execute(
            statement.on_conflict_do_update(
                index_elements=[MarketplacePolicy.marketplace],
                set_={name: statement.excluded[name] for name in values if name != "marketplace"},
            )
        )
