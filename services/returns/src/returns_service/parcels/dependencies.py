"""``Annotated`` aliases the parcel routers use."""

from typing import Annotated

from fastapi import Depends

from aftersales_chassis import ClockDep, Principal, SessionDep, allow
from aftersales_chassis.roles import SERVICE, STAFF, WAREHOUSE
from aftersales_sla import SlaDep

from ..returns.dependencies import Service as ReturnsServiceDep
from .ingest import ScanIngestion
from .service import ParcelService


async def get_parcel_service(
    session: SessionDep, clock: ClockDep, sla: SlaDep, returns: ReturnsServiceDep
) -> ParcelService:
    return ParcelService(session, clock, sla, returns)


Parcels = Annotated[ParcelService, Depends(get_parcel_service)]


async def get_ingestion(parcels: Parcels) -> ScanIngestion:
    return ScanIngestion(parcels)


Ingestion = Annotated[ScanIngestion, Depends(get_ingestion)]
# Scanners post as the warehouse, or through a gateway holding a service token.
Scanner = Annotated[Principal, Depends(allow(*WAREHOUSE, *SERVICE))]
# Who decides what happens to a held parcel: customer service or the warehouse holding it.
Custodian = Annotated[Principal, Depends(allow(*STAFF, *WAREHOUSE))]
