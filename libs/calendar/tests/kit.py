"""What the calendar tests get: a throwaway service carrying only the calendar routes."""

from __future__ import annotations

from dataclasses import dataclass

import httpx
from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from aftersales_calendar.store import CalendarProvider
from aftersales_chassis import ManualClock
from aftersales_chassis.testing import Tokens


@dataclass(frozen=True)
class CalendarHarness:
    app: FastAPI
    client: httpx.AsyncClient
    sessionmaker: async_sessionmaker[AsyncSession]
    provider: CalendarProvider
    tokens: Tokens
    clock: ManualClock  # this test's own: the app reads it through a DelegatingClock
