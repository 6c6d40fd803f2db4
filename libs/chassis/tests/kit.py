"""A tiny service built on the chassis, for the chassis tests: widgets with an event per create."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Annotated, Any

import httpx
from fastapi import Depends, FastAPI
from opentelemetry.sdk.trace.export import SpanExporter
from pydantic import BaseModel, Field
from sqlalchemy import Column, Identity, Integer, MetaData, Table, Text, insert, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from aftersales_chassis import (
    ClockDep,
    Grant,
    Page,
    PageDep,
    Principal,
    Role,
    RuleViolation,
    ServiceDefinition,
    ServiceSettings,
    SessionDep,
    allow,
    create_app,
    mint_token,
    page_of,
    service_router,
)
from aftersales_events import EventPayload, Handler, event, record_event

test_metadata = MetaData()
widgets = Table(
    "test_widgets",
    test_metadata,
    Column("id", Integer, Identity(always=True), primary_key=True),
    Column("name", Text, nullable=False),
    Column("quantity", Integer, nullable=False),
)


# Module level: the routes' annotations are strings (PEP 563) that FastAPI resolves here.
Writer = Annotated[Principal, Depends(allow(Role.agent, Role.supervisor))]
Approver = Annotated[Principal, Depends(allow(Grant(Role.agent, "refund:approve"), Role.supervisor))]


class WidgetIn(BaseModel):
    name: str = Field(min_length=1)
    quantity: int = Field(ge=1)


class WidgetOut(BaseModel):
    id: int
    name: str
    quantity: int
    event_id: uuid.UUID | None = None


class WidgetCreatedBase(EventPayload):
    """A widget was created (test-only)."""

    widget_id: int
    name: str


def widget_created_type(service: str) -> type[WidgetCreatedBase]:
    """Published by the test service itself (so on the topic its lifespan creates); not in the CATALOGUE."""
    cls: type[WidgetCreatedBase] = type(f"WidgetCreated_{service}", (WidgetCreatedBase,), {"__module__": __name__})
    return event(service, "WidgetCreated", register=False)(cls)


def build_app(
    service: str,
    settings: ServiceSettings,
    *,
    handlers: Mapping[type[EventPayload], Handler] | None = None,
    span_exporter: SpanExporter | None = None,
) -> FastAPI:
    """``handlers`` by event type (``widget_created_type(service)`` is its own event)."""
    widget_created = widget_created_type(service)
    router = service_router(prefix="/widgets")

    async def create(session: AsyncSession, body: WidgetIn, clock: Any) -> WidgetOut:
        widget_id = await session.scalar(
            insert(widgets).values(name=body.name, quantity=body.quantity).returning(widgets.c.id)
        )
        assert widget_id is not None
        envelope = await record_event(
            session, widget_created(widget_id=widget_id, name=body.name), subject=body.name, at=clock.now()
        )
        return WidgetOut(id=widget_id, name=body.name, quantity=body.quantity, event_id=envelope.id)

    @router.post("", status_code=201)
    async def create_widget(body: WidgetIn, session: SessionDep, clock: ClockDep, _: Writer) -> WidgetOut:
        return await create(session, body, clock)

    @router.post("/doomed", status_code=201)
    async def create_then_refuse(body: WidgetIn, session: SessionDep, clock: ClockDep, _: Writer) -> WidgetOut:
        await create(session, body, clock)
        raise RuleViolation("W1", "widgets of this kind are refused after they were written")

    @router.post("/approve-refund")
    async def approve(principal: Approver) -> dict[str, str]:
        return {"approved_by": principal.subject}

    @router.get("")
    async def list_widgets(session: SessionDep, page: PageDep, _: Writer, name_prefix: str = "") -> Page[WidgetOut]:
        query = select(widgets).where(widgets.c.name.startswith(name_prefix, autoescape=True)).order_by(widgets.c.id)
        if (after := page.after(int)) is not None:
            query = query.where(widgets.c.id > after[0])
        rows = (await session.execute(query.limit(page.fetch_size))).all()
        return page_of(
            rows, page, key=lambda r: (r.id,), item=lambda r: WidgetOut(id=r.id, name=r.name, quantity=r.quantity)
        )

    definition = ServiceDefinition(
        name=service,
        title="Chassis test service",
        description="Widgets, for the chassis tests.",
        settings_factory=lambda: settings,
        routers=[router],
        handlers=handlers or {},
    )
    return create_app(definition, settings=settings, span_exporter=span_exporter)


@dataclass
class Harness:
    service: str
    app: FastAPI
    client: httpx.AsyncClient
    sessionmaker: async_sessionmaker[AsyncSession]
    jwt_secret: str
    kafka_bootstrap: str

    def auth(self, *roles: Role, scopes: tuple[str, ...] = (), subject: str = "u-1") -> dict[str, str]:
        token = mint_token(self.jwt_secret, subject=subject, roles=roles, scopes=scopes)
        return {"Authorization": f"Bearer {token}"}
