"""``Annotated`` aliases for the marketplace port and policies."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from aftersales_chassis import ClockDep, SessionDep

from .port import MarketplacePort
from .service import MarketplaceService


async def get_port(request: Request) -> MarketplacePort:
    port: MarketplacePort = request.app.state.marketplaces
    return port


MarketplacesDep = Annotated[MarketplacePort, Depends(get_port)]


async def get_service(session: SessionDep, clock: ClockDep, port: MarketplacesDep) -> MarketplaceService:
    return MarketplaceService(session, clock, port)


Marketplaces = Annotated[MarketplaceService, Depends(get_service)]
