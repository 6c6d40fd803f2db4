"""Pure-ASGI middleware: correlation id, request metrics and one access log line."""

from __future__ import annotations

import time
import uuid

import structlog
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from aftersales_events.context import correlation_scope

from .metrics import HTTP_LATENCY, HTTP_REQUESTS

CORRELATION_HEADER = b"x-correlation-id"
log = structlog.get_logger("http.access")


class RequestContextMiddleware:
    def __init__(self, app: ASGIApp, service: str) -> None:
        self.app = app
        self.service = service

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        incoming = dict(scope.get("headers") or ()).get(CORRELATION_HEADER, b"").decode("latin-1")
        correlation_id = incoming[:64] if incoming else uuid.uuid4().hex
        status = 500
        started = time.perf_counter()

        async def send_with_header(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message.setdefault("headers", [])
                message["headers"] = [*message["headers"], (CORRELATION_HEADER, correlation_id.encode())]
            await send(message)

        structlog.contextvars.bind_contextvars(correlation_id=correlation_id)
        try:
            with correlation_scope(correlation_id):
                await self.app(scope, receive, send_with_header)
        finally:
            elapsed = time.perf_counter() - started
            route = scope.get("route")
            template = getattr(route, "path", None) or "unmatched"
            method = scope["method"]
            HTTP_REQUESTS.labels(self.service, method, template, str(status)).inc()
            HTTP_LATENCY.labels(self.service, method, template).observe(elapsed)
            if template not in {"/healthz", "/readyz", "/metrics"}:
                log.info(
                    "http.request", method=method, route=template, status=status, duration_ms=round(elapsed * 1000, 2)
                )
            structlog.contextvars.unbind_contextvars("correlation_id")
