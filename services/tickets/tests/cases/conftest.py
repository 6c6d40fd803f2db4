from __future__ import annotations

from collections.abc import Callable

import pytest


@pytest.fixture(scope="session")
def tickets_db(service_database_url: Callable[..., str]) -> str:
    """The session app's database (the outbox the cases record their events in)."""
    return service_database_url("tickets")
