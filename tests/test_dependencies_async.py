"""No request of any service waits for a thread: every dependency is a coroutine.

FastAPI runs a plain ``def`` dependency in its thread pool; a service-factory dependency
that only builds an object then costs a thread hand-off and GIL churn on every request
(seen as idle anyio worker threads while profiling scan ingestion). Found by walking every
route's dependency tree of every service's real app.
"""

from __future__ import annotations

import inspect
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute

from aftersales_chassis import create_app
from callcenter_service.main import definition as callcenter
from finance_service.main import definition as finance
from returns_service.main import definition as returns
from reviews_service.main import definition as reviews
from tickets_service.main import definition as tickets


def _api_routes(routes: list[Any]) -> Iterator[APIRoute]:
    for route in routes:
        if isinstance(route, APIRoute):
            yield route
        included = getattr(route, "original_router", None)  # FastAPI's include_router wrapper
        if included is not None:
            yield from _api_routes(list(included.routes))


def _calls(dependant: Dependant) -> Iterator[Any]:
    for dependency in dependant.dependencies:
        if dependency.call is not None:
            yield dependency.call
        yield from _calls(dependency)


def _is_coroutine(call: Any) -> bool:
    return inspect.iscoroutinefunction(call) or inspect.iscoroutinefunction(type(call).__call__)


@pytest.mark.parametrize("definition", [tickets, returns, reviews, callcenter, finance], ids=lambda d: d.name)
def test_every_dependency_of_every_route_is_async(definition: Any) -> None:
    app = create_app(definition)
    routes = list(_api_routes(app.routes))
    assert len(routes) > 5
    sync = sorted(
        {
            f"{route.path}: {getattr(call, '__module__', '?')}.{getattr(call, '__qualname__', repr(call))}"
            for route in routes
            for call in _calls(route.dependant)
            if not _is_coroutine(call)
        }
    )
    assert sync == []
