"""The unit of work: one session and one commit per request, made by the route itself.

Business routers use :class:`UnitOfWorkRoute`. The handler (and the service code it
calls) only flushes; the route commits when the response is a success, rolls back
otherwise, and does so before the response leaves, so a client never sees a success
that was not committed. Outbox rows commit here with the state they describe.

The route also documents the problems it can answer and the roles it admits
(:func:`.openapi.document_operation`).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Coroutine
from contextlib import asynccontextmanager
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request, Response
from fastapi.routing import APIRoute
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from aftersales_events.outbox import OUTBOX_WRITTEN

from .idempotency import HEADER, IdempotencyClaim, idempotency_key_header
from .openapi import MUTATING, document_operation


class UnitOfWorkRoute(APIRoute):
    def __init__(self, path: str, endpoint: Callable[..., Any], **kwargs: Any) -> None:
        methods = {m.upper() for m in (kwargs.get("methods") or ["GET"])}
        if methods & MUTATING:
            kwargs["dependencies"] = [*(kwargs.get("dependencies") or []), Depends(idempotency_key_header)]
        super().__init__(path, endpoint, **kwargs)
        document_operation(self)

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()
        mutating = bool((self.methods or set()) & MUTATING)

        async def unit_of_work(request: Request) -> Response:
            async with request_session(request.app.state.db.sessionmaker) as session:
                request.state.session = session
                try:
                    key = request.headers.get(HEADER) if mutating else None
                    claim = await IdempotencyClaim.acquire(session, request, key) if key else None
                    if isinstance(claim, Response):
                        await session.rollback()
                        return claim
                    response = await handler(request)
                    if response.status_code >= 400:
                        await session.rollback()
                        return response
                    if claim is not None:
                        await claim.complete(session, response)
                    await commit_begun(session)
                except BaseException:
                    await session.rollback()
                    raise
            relay = getattr(request.app.state, "relay", None)
            if mutating and relay is not None and session.info.get(OUTBOX_WRITTEN):
                relay.wake()  # only after writing events: a claim, say, records none
            return response

        return unit_of_work


@asynccontextmanager
async def request_session(sessionmaker: async_sessionmaker[AsyncSession]) -> AsyncIterator[AsyncSession]:
    """A request's session, closed at the end. A session that began no transaction holds no
    connection, so closing it is bookkeeping in memory: done here directly, without the
    greenlet round trip ``AsyncSession.close()`` makes for the IO a close may need (a
    rollback, a connection back to the pool). The claim of a callback task (ADR 0025), whose
    one statement runs on a pool connection of its own, ends this way."""
    session = sessionmaker()
    try:
        yield session
    finally:
        if session.in_transaction():
            await session.close()
        elif session.identity_map or session.new or session.deleted:
            session.sync_session.close()  # objects to detach from it, in memory
        # else: a session that never held anything has nothing to close


async def commit_begun(session: AsyncSession) -> None:
    """Commits the request's transaction; a session that began none (no statement, nothing
    added) has nothing to commit, and skips the commit's own work (a greenlet round of the
    ORM's transaction machinery, ~0.1 ms): the claim of a callback task, whose one statement
    stands on its own (ADR 0025), or a read served from a cache."""
    if session.in_transaction():
        await session.commit()


def service_router(**kwargs: Any) -> APIRouter:
    """An APIRouter whose routes run in a unit of work."""
    return APIRouter(route_class=UnitOfWorkRoute, **kwargs)


async def get_session(request: Request) -> AsyncSession:
    session: AsyncSession | None = getattr(request.state, "session", None)
    if session is None:
        raise RuntimeError("this route is not a UnitOfWorkRoute; use service_router()")
    return session


SessionDep = Annotated[AsyncSession, Depends(get_session)]
