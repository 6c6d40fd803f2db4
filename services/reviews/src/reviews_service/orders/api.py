"""HTTP routes of the orders read model: what reviews knows of an order (read only)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Path

from aftersales_chassis import SessionDep, problems, service_router
from aftersales_chassis.roles import BackOfficeReader

from . import schemas
from .service import OrderReadModel

router = service_router(
    prefix="/orders", tags=["orders"], responses=problems(404, descriptions={404: "Not found: no such order"})
)


async def _service(session: SessionDep) -> OrderReadModel:
    return OrderReadModel(session)


Orders = Annotated[OrderReadModel, Depends(_service)]


@router.get("/{order_id}", summary="Z4 · An order's paid price and customer, from the order facts")
async def get_order(
    order_id: Annotated[str, Path(min_length=1, max_length=64)], service: Orders, _: BackOfficeReader
) -> schemas.OrderOut:
    """Roles: agent, supervisor, warehouse, finance. Kept from OrderPlaced and OrderPaid."""
    return await service.get(order_id)
