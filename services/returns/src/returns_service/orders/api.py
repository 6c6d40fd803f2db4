"""The order-facts intake (role ``service``: the shop's order system) and order lookups."""

from __future__ import annotations

from typing import Annotated

from fastapi import Body, Depends

from aftersales_chassis import ClockDep, SessionDep, problems, service_router
from aftersales_chassis.roles import BackOfficeReader, ServiceAccount

from . import schemas
from .service import OrderFactsService

router = service_router(tags=["orders"])

EXAMPLE = {
    "kind": "placed",
    "shop_event_id": "oms-7781-1",
    "order_id": "TB-20261123-0001",
    "occurred_at": "2026-11-20T10:15:00+08:00",
    "merchant_id": "M-001",
    "customer_id": "C-42",
    "contact": {"name": "王小明", "phone": "13800138000", "address": "上海市浦东新区..."},
    "lines": [{"sku": "SKU-TEA-250G", "title": "Longjing 250 g", "quantity": 2, "unit_price_minor": 6450}],
    "currency": "CNY",
}


async def _service(session: SessionDep, clock: ClockDep) -> OrderFactsService:
    return OrderFactsService(session, clock)


Facts = Annotated[OrderFactsService, Depends(_service)]


@router.post("/order-facts", summary="Take in one order fact (placed, paid, shipped, signed, cancelled)")
async def take_in(
    fact: Annotated[schemas.OrderFactIn, Body(openapi_examples={"placed": {"value": EXAMPLE}})],
    facts: Facts,
    _: ServiceAccount,
) -> schemas.FactOut:
    """Role: service (the shop's order system). Idempotent by `shop_event_id`: a resent fact
    answers `duplicate` and changes nothing. Each new fact is published once as an Order* event
    so every service can keep its own read model."""
    return await facts.take_in(fact)


@router.get("/orders/{order_id}", summary="An order as the returns service knows it", responses=problems(404))
async def get_order(order_id: str, facts: Facts, _: BackOfficeReader) -> schemas.OrderOut:
    return await facts.get(order_id)
