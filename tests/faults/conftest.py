"""The fault scenarios run after every other test of the session.

They leave the shared broker's topics full of their own events (killed consumers' refunds,
poison, a v2 event), which the session-long end-to-end stack's finance then had to work
through first: its refund and remedy flows were not booked in time (issue 23 follow-up).
"""

from __future__ import annotations

import pytest


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "/tests/faults/" in str(item.path):
            item.add_marker(pytest.mark.last)
