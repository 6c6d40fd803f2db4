"""Liveness, readiness (database and broker reachable)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from aftersales_events.kafka import broker_reachable

health_router = APIRouter(tags=["operations"])


@health_router.get("/healthz", summary="Alive: the process serves requests")
async def healthz() -> dict[str, str]:
    return {"status": "ok"}


@health_router.get("/readyz", summary="Ready: database and broker reachable", responses={503: {}})
async def readyz(request: Request) -> JSONResponse:
    state = request.app.state
    checks = {
        "database": await state.db.ping(),
        "broker": await broker_reachable(state.producer),
    }
    ok = all(checks.values())
    return JSONResponse({"status": "ok" if ok else "unavailable", "checks": checks}, status_code=200 if ok else 503)
