"""Every query of the reports: set-based aggregates over a half-open instant range, bucketed in
the calendar's zone in SQL (``received_at AT TIME ZONE :tz``). Indexes, not summary tables
(ADR 0026): ranges on ``ix_complaints_received`` and ``ix_complaints_closed_at``."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import Row, text
from sqlalchemy.ext.asyncio import AsyncSession

from .periods import Period

# Volume leaves out a complaint merged into an earlier one about the same order ("state <> 'merged'").

DAILY_RECEIVED = text(
    "SELECT (received_at AT TIME ZONE :tz)::date AS day, channel, priority,"
    " count(*) FILTER (WHERE state <> 'merged') AS received, count(*) FILTER (WHERE state = 'merged') AS merged,"
    " count(*) FILTER (WHERE major AND state <> 'merged') AS major"
    " FROM complaints WHERE received_at >= :start AND received_at < :end GROUP BY 1, 2, 3"
)
DAILY_CLOSED = text(
    "SELECT (closed_at AT TIME ZONE :tz)::date AS day, count(*) AS closed FROM complaints"
    " WHERE closed_at >= :start AND closed_at < :end AND state = 'closed' GROUP BY 1"
)
BREACHES_BY_DAY = text(
    "SELECT (breached_at AT TIME ZONE :tz)::date AS day, step, count(*) AS breaches FROM sla_clocks"
    " WHERE aggregate_type = 'complaint' AND breached_at >= :start AND breached_at < :end GROUP BY 1, 2"
)
BREACHES_BY_STEP = text(
    "SELECT step, count(*) AS breaches FROM sla_clocks WHERE breached_at >= :start AND breached_at < :end"
    " GROUP BY step ORDER BY step"
)
# One pass for the total, each dimension and each month (GROUPING tells which set a row is of).
DIMENSIONS = text(
    "SELECT GROUPING(category) AS no_category, GROUPING(channel) AS no_channel, GROUPING(brand) AS no_brand,"
    " GROUPING(priority) AS no_priority, GROUPING(month) AS no_month, category, channel, brand, priority, month,"
    " count(*) AS complaints, count(*) FILTER (WHERE major) AS major"
    " FROM (SELECT category, channel, brand, priority, major,"
    " date_trunc('month', received_at AT TIME ZONE :tz)::date AS month FROM complaints"
    " WHERE received_at >= :start AND received_at < :end AND state <> 'merged') AS c"
    " GROUP BY GROUPING SETS ((category), (channel), (brand), (priority), (month), ())"
)
# Per merchant: the complaints about its orders received in the range, and the §4.4 clock of
# each public one (one per complaint: §4.4 starts at intake only), looked up per complaint and
# read from the index alone (ix_sla_clocks_aggregate_step includes the outcome columns); a
# complaint on another channel looks nothing up (a one-time filter).
MERCHANTS = text(
    "SELECT c.merchant_id, count(*) AS complaints, count(*) FILTER (WHERE c.major) AS major,"
    " count(*) FILTER (WHERE c.channel IN ('forum', 'weibo')) AS public_complaints,"
    " count(c.merchant_replied_at) AS merchant_replied,"
    " sum(extract(epoch FROM c.merchant_replied_at - c.received_at)) AS reply_seconds,"
    " count(*) FILTER (WHERE s.outcome = 'met') AS met, count(s.breached_at) AS breaches,"
    " count(*) FILTER (WHERE s.state = 'stopped') AS stopped"
    " FROM complaints c LEFT JOIN LATERAL (SELECT k.outcome, k.breached_at, k.state FROM sla_clocks k"
    " WHERE c.channel IN ('forum', 'weibo') AND k.aggregate_id = c.id::text AND k.step = '§4.4' LIMIT 1) AS s ON true"
    " WHERE c.received_at >= :start AND c.received_at < :end AND c.state <> 'merged' AND c.merchant_id IS NOT NULL"
    " GROUP BY c.merchant_id ORDER BY complaints DESC, c.merchant_id"
)
# Complaint clocks stopped in the period, by step (ix_sla_clocks_stopped_at): the on-time %
# the SLA library's sla_on_time_ratio gives, for a calendar period.
CLOCKS = text(
    "SELECT step, count(*) AS stopped, count(*) FILTER (WHERE outcome = 'met') AS met,"
    " count(*) FILTER (WHERE outcome = 'breached') AS breached FROM sla_clocks"
    " WHERE stopped_at >= :start AND stopped_at < :end AND stopped_at IS NOT NULL AND aggregate_type = 'complaint'"
    " GROUP BY step ORDER BY step"
)
MAJOR = text(
    "SELECT id, received_at, channel, priority, priority_rule, merchant_id, order_id, category, brand, state, owner,"
    " subject, count(*) OVER () AS total FROM complaints"
    " WHERE received_at >= :start AND received_at < :end AND major AND state <> 'merged'"
    " ORDER BY received_at, id LIMIT :limit"
)
# Unresolved at the report's time: recorded before the period's end and neither closed nor merged.
UNRESOLVED = text(
    "SELECT id, received_at, channel, priority, major, merchant_id, order_id, state, owner, first_replied_at,"
    " merchant_replied_at, updated_at, subject FROM complaints"
    " WHERE received_at < :end AND state NOT IN ('closed', 'merged')"
    " AND (CAST(:after_at AS timestamptz) IS NULL"
    " OR (received_at, id) > (CAST(:after_at AS timestamptz), CAST(:after_id AS uuid)))"
    " ORDER BY received_at, id LIMIT :limit"
)
UNRESOLVED_COUNT = text(
    "SELECT count(*) AS total, count(*) FILTER (WHERE major) AS major FROM complaints"
    " WHERE received_at < :end AND state NOT IN ('closed', 'merged')"
)
BREACHED_STEPS = text(
    "SELECT aggregate_id, array_agg(DISTINCT step ORDER BY step) AS steps FROM sla_clocks"
    " WHERE aggregate_type = 'complaint' AND breached_at IS NOT NULL AND aggregate_id = ANY(CAST(:ids AS text[]))"
    " GROUP BY aggregate_id"
)
CASES = text(
    "SELECT kind, coalesce(liability, '') AS liability, count(*) AS cases FROM cases"
    " WHERE created_at >= :start AND created_at < :end GROUP BY 1, 2 ORDER BY 1, 2"
)
ABNORMAL_REFUNDS = text(
    "SELECT coalesce(c.liability, '') AS liability, r.currency, count(*) AS refunds,"
    " sum(r.amount_minor) AS amount_minor FROM case_abnormal_refunds r JOIN cases c ON c.id = r.case_id"
    " WHERE r.state = 'approved' AND r.decided_at >= :start AND r.decided_at < :end GROUP BY 1, 2 ORDER BY 1, 2"
)
OPEN_BY_CHANNEL_PRIORITY = text(
    "SELECT channel, priority, count(*) AS open FROM complaints WHERE state NOT IN ('closed', 'merged') GROUP BY 1, 2"
)


def _range(period: Period) -> dict[str, Any]:
    return {"tz": period.zone.key, "start": period.start_at, "end": period.end_at}


class ReportRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def _rows(self, query: Any, params: dict[str, Any]) -> list[Row[Any]]:
        return list(await self.session.execute(query, params))

    async def daily_received(self, period: Period) -> list[Row[Any]]:
        return await self._rows(DAILY_RECEIVED, _range(period))

    async def daily_closed(self, period: Period) -> list[Row[Any]]:
        return await self._rows(DAILY_CLOSED, _range(period))

    async def breaches_by_day(self, period: Period) -> list[Row[Any]]:
        return await self._rows(BREACHES_BY_DAY, _range(period))

    async def breaches_by_step(self, period: Period) -> list[Row[Any]]:
        return await self._rows(BREACHES_BY_STEP, _range(period))

    async def dimensions(self, period: Period) -> list[Row[Any]]:
        return await self._rows(DIMENSIONS, _range(period))

    async def merchants(self, period: Period) -> list[Row[Any]]:
        return await self._rows(MERCHANTS, _range(period))

    async def clocks(self, period: Period) -> list[Row[Any]]:
        return await self._rows(CLOCKS, _range(period))

    async def major(self, period: Period, limit: int) -> list[Row[Any]]:
        return await self._rows(MAJOR, _range(period) | {"limit": limit})

    async def unresolved(self, period: Period, limit: int, after: tuple[datetime, uuid.UUID] | None) -> list[Row[Any]]:
        after_at, after_id = after if after else (None, None)
        return await self._rows(
            UNRESOLVED, {"end": period.end_at, "limit": limit, "after_at": after_at, "after_id": after_id}
        )

    async def unresolved_count(self, period: Period) -> Row[Any]:
        return (await self._rows(UNRESOLVED_COUNT, {"end": period.end_at}))[0]

    async def breached_steps(self, complaint_ids: list[uuid.UUID]) -> dict[str, list[str]]:
        if not complaint_ids:
            return {}
        rows = await self._rows(BREACHED_STEPS, {"ids": [str(i) for i in complaint_ids]})
        return {row.aggregate_id: list(row.steps) for row in rows}

    async def cases(self, period: Period) -> list[Row[Any]]:
        return await self._rows(CASES, _range(period))

    async def abnormal_refunds(self, period: Period) -> list[Row[Any]]:
        return await self._rows(ABNORMAL_REFUNDS, _range(period))

    async def open_by_channel_priority(self) -> list[Row[Any]]:
        return await self._rows(OPEN_BY_CHANNEL_PRIORITY, {})
