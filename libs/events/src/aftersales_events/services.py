"""The services of the platform: the one list that migrations, the SLA event catalogue,
the generated docs and the dev stack read. A sixth service is added here (and given a
port in ``aftersales_devstack.urls``)."""

from __future__ import annotations

SERVICE_NAMES: tuple[str, ...] = ("tickets", "returns", "reviews", "callcenter", "finance")
"""Each is the package ``<name>_service`` with its own database, topic and migrations."""
