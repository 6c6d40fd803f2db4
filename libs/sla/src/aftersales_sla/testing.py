"""Test support for services with SLA clocks (imported by tests only; a fitness test keeps
shipped code from importing it)."""

from __future__ import annotations

from datetime import datetime

import pytest
from fastapi import FastAPI

from aftersales_chassis import ManualClock, ServiceDefinition
from aftersales_chassis.testing import DelegatingClock

from .extension import SlaExtension


async def fresh_test_clock(
    request: pytest.FixtureRequest, app_clock: DelegatingClock, definition: ServiceDefinition, start: datetime
) -> ManualClock:
    """This test's own time, starting at ``start`` whatever earlier tests did with theirs: the
    session app's clock is pointed at it, and a running app gets a new SLA scheduler, since
    the old one remembers how far it had looked for fixed-time jobs in an earlier test's time."""
    fresh = ManualClock(start)
    app_clock.use(fresh)
    if "app" in request.fixturenames:
        app: FastAPI = request.getfixturevalue("app")
        if hasattr(app.state, "sla_scheduler"):
            for extension in definition.extensions:
                if isinstance(extension, SlaExtension):
                    await extension.stop(app)
                    await extension.start(app)
    return fresh
