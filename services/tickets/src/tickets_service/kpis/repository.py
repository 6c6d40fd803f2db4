"""The KPI queries: each groups one source by (agent, local bucket) in the database, in the
business calendar's zone (``AT TIME ZONE``), so an event at 23:30 local belongs to its local day
whatever its UTC date; ``date_trunc('week')`` starts weeks on Monday."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from .models import RefundFollowUp

# Every query: its rows by (agent, local bucket); `:agent` null is every agent.
INQUIRIES = text(
    "SELECT i.agent AS agent,"
    " date_trunc(CAST(:unit AS text), i.asked_at AT TIME ZONE CAST(:zone AS text))::date AS bucket,"
    " count(*) AS inquiries,"
    " count(DISTINCT i.customer_id) AS reception_volume,"
    " count(*) FILTER (WHERE i.state = 'converted') AS converted,"
    " count(i.first_reply_at) AS replied,"
    " avg(EXTRACT(EPOCH FROM i.first_reply_at - i.asked_at)) AS first_reply_seconds_avg,"
    " coalesce(sum(coalesce(o.paid_minor, o.total_minor, i.converted_order_minor))"
    "   FILTER (WHERE i.state = 'converted'), 0) AS order_minor,"
    " count(coalesce(o.paid_minor, o.total_minor, i.converted_order_minor))"
    "   FILTER (WHERE i.state = 'converted') AS valued"
    " FROM inquiries AS i LEFT JOIN orders AS o ON o.order_id = i.converted_order_id"
    " WHERE i.asked_at >= :start AND i.asked_at < :end"
    " AND (CAST(:agent AS text) IS NULL OR i.agent = CAST(:agent AS text))"
    " GROUP BY 1, 2"
)
CLOCKS = text(
    "SELECT c.stopped_by AS agent,"
    " date_trunc(CAST(:unit AS text), c.stopped_at AT TIME ZONE CAST(:zone AS text))::date AS bucket,"
    " c.step AS step, count(*) AS stopped, count(*) FILTER (WHERE c.outcome = 'met') AS on_time"
    " FROM sla_clocks AS c"
    " WHERE c.state = 'stopped' AND c.stopped_by IS NOT NULL AND c.stopped_at >= :start AND c.stopped_at < :end"
    " AND (CAST(:agent AS text) IS NULL OR c.stopped_by = CAST(:agent AS text))"
    " GROUP BY 1, 2, 3"
)
RATINGS = text(
    "SELECT r.agent AS agent,"
    " date_trunc(CAST(:unit AS text), r.rated_at AT TIME ZONE CAST(:zone AS text))::date AS bucket,"
    " count(*) AS ratings, count(*) FILTER (WHERE r.score >= :satisfied_from) AS satisfied"
    " FROM contact_ratings AS r WHERE r.rated_at >= :start AND r.rated_at < :end"
    " AND (CAST(:agent AS text) IS NULL OR r.agent = CAST(:agent AS text))"
    " GROUP BY 1, 2"
)
FOLLOW_UPS = text(
    "SELECT f.agent AS agent,"
    " date_trunc(CAST(:unit AS text), f.followed_at AT TIME ZONE CAST(:zone AS text))::date AS bucket,"
    " count(*) AS follow_ups, count(*) FILTER (WHERE f.outcome = 'retained') AS retained"
    " FROM refund_follow_ups AS f WHERE f.followed_at >= :start AND f.followed_at < :end"
    " AND (CAST(:agent AS text) IS NULL OR f.agent = CAST(:agent AS text))"
    " GROUP BY 1, 2"
)


class KpiRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def _rows(self, statement: Any, params: dict[str, Any]) -> list[dict[str, Any]]:
        return [dict(row._mapping) for row in await self.session.execute(statement, params)]

    async def figures(
        self, start: datetime, end: datetime, zone: str, unit: str, agent: str | None, satisfied_from: int
    ) -> dict[str, list[dict[str, Any]]]:
        params = {"start": start, "end": end, "zone": zone, "unit": unit, "agent": agent}
        return {
            "inquiries": await self._rows(INQUIRIES, params),
            "clocks": await self._rows(CLOCKS, params),
            "ratings": await self._rows(RATINGS, params | {"satisfied_from": satisfied_from}),
            "follow_ups": await self._rows(FOLLOW_UPS, params),
        }

    async def add_follow_up(self, values: dict[str, Any]) -> RefundFollowUp:
        record = RefundFollowUp(id=uuid.uuid4(), **values)
        self.session.add(record)
        await self.session.flush()
        return record
