"""Per-agent KPIs (§9): the figures of each agent in each bucket, each published with its formula."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from aftersales_chassis import Clock, Forbidden, Principal, Role, RuleViolation

from ..ratings.schemas import SATISFIED_FROM
from ..settings import TicketsSettings
from . import schemas
from .repository import KpiRepository

FORMULAS: dict[str, str] = {
    "inquiries": "inquiries the agent served (A1), by the bucket of the moment the customer asked",
    "reception_volume": "distinct customers among those inquiries (接待量)",
    "inquiry_conversion": "converted ÷ inquiries; an inquiry converts when its customer places an order within the "
    "conversion window (GET /inquiries/conversion-rule), counted in the bucket the customer asked in",
    "reply_rate": "inquiries with a first reply ÷ inquiries",
    "first_reply_seconds_avg": "mean of (first reply − asked) in seconds over the inquiries replied to",
    "average_order_value_minor": "Σ order value of the converted inquiries ÷ their count, rounded half up to a fen; "
    "an order's value is its paid amount (OrderPaid), else its total when placed",
    "refund_retention_rate": "refund follow-ups with outcome retained ÷ refund follow-ups the agent recorded "
    "(POST /refund-follow-ups), by the bucket of the follow-up",
    "on_time_rate": "SLA clocks the agent stopped in time (outcome met) ÷ clocks the agent stopped, by the bucket "
    "of the stop; per step in on_time_by_step (a clock that ran out with nobody stopping it is nobody's)",
    "csat": f"ratings with score ≥ {SATISFIED_FROM} of 5 ÷ ratings of the agent's contacts, by the bucket of the "
    "rating (POST /ratings/intake)",
    "buckets": "days, Monday-to-Sunday weeks, months and quarters of the business calendar's zone; a bucket cut by "
    "from/to counts only its days inside the range",
}
CSV_COLUMNS = (
    "agent", "bucket_start", "inquiries", "reception_volume", "converted", "inquiry_conversion", "replied",
    "reply_rate", "first_reply_seconds_avg", "converted_order_minor_total", "average_order_value_minor",
    "refund_follow_ups", "refunds_retained", "refund_retention_rate", "clocks_stopped", "clocks_on_time",
    "on_time_rate", "on_time_by_step", "ratings", "satisfied", "csat", "csat_meets_target",
)  # fmt: skip


def _rate(numerator: int, denominator: int) -> float | None:
    return numerator / denominator if denominator else None


def _half_up(total: int, count: int) -> int | None:
    return (2 * total + count) // (2 * count) if count else None


def csv_rows(report: schemas.KpiReport) -> list[dict[str, Any]]:
    rows = []
    for row in report.rows:
        flat = row.model_dump()
        flat["on_time_by_step"] = ";".join(
            f"{step}={s.on_time}/{s.stopped}" for step, s in sorted(row.on_time_by_step.items())
        )
        rows.append(flat)
    return rows


class KpiService:
    def __init__(self, session: AsyncSession, clock: Clock, zone: ZoneInfo, settings: TicketsSettings) -> None:
        self.clock = clock
        self.zone = zone
        self.settings = settings
        self.repository = KpiRepository(session)

    @staticmethod
    def whose(actor: Principal, agent: str | None) -> str | None:
        """A supervisor sees every agent (or the one asked for); an agent only their own figures."""
        if actor.has(Role.supervisor):
            return agent
        if agent is not None and agent != actor.subject:
            raise Forbidden("an agent sees their own figures only", rule="§9.own-figures", field="query.agent")
        return actor.subject

    async def agents(
        self, actor: Principal, first: date, last: date, bucket: schemas.Bucket, agent: str | None
    ) -> schemas.KpiReport:
        if last < first:
            raise RuleViolation("§9.period", "`to` is before `from`", field="query.to")
        shown = self.whose(actor, agent)
        start = datetime.combine(first, time(), self.zone).astimezone(UTC)
        end = datetime.combine(last + timedelta(days=1), time(), self.zone).astimezone(UTC)
        found = await self.repository.figures(start, end, str(self.zone), bucket, shown, SATISFIED_FROM)
        rows: dict[tuple[str, date], dict[str, Any]] = defaultdict(dict)
        steps: dict[tuple[str, date], dict[str, schemas.StepOnTime]] = defaultdict(dict)
        for source in ("inquiries", "ratings", "follow_ups"):
            for r in found[source]:
                rows[(r["agent"], r["bucket"])] |= r
        for r in found["clocks"]:
            key = (r["agent"], r["bucket"])
            rows[key].setdefault("agent", r["agent"])
            steps[key][r["step"]] = schemas.StepOnTime(
                stopped=r["stopped"], on_time=r["on_time"], rate=_rate(r["on_time"], r["stopped"])
            )
        target = self.settings.csat_target
        out = []
        for key in sorted(rows):
            r, by_step = rows[key], steps[key]
            inquiries, converted, replied = r.get("inquiries", 0), r.get("converted", 0), r.get("replied", 0)
            stopped = sum(s.stopped for s in by_step.values())
            on_time = sum(s.on_time for s in by_step.values())
            ratings, satisfied = r.get("ratings", 0), r.get("satisfied", 0)
            csat = _rate(satisfied, ratings)
            average = r.get("first_reply_seconds_avg")
            out.append(
                schemas.AgentKpis(
                    agent=key[0],
                    bucket_start=key[1].isoformat(),
                    inquiries=inquiries,
                    reception_volume=r.get("reception_volume", 0),
                    converted=converted,
                    inquiry_conversion=_rate(converted, inquiries),
                    replied=replied,
                    reply_rate=_rate(replied, inquiries),
                    first_reply_seconds_avg=None if average is None else float(average),
                    converted_order_minor_total=int(r.get("order_minor", 0)),
                    average_order_value_minor=_half_up(int(r.get("order_minor", 0)), r.get("valued", 0)),
                    refund_follow_ups=r.get("follow_ups", 0),
                    refunds_retained=r.get("retained", 0),
                    refund_retention_rate=_rate(r.get("retained", 0), r.get("follow_ups", 0)),
                    clocks_stopped=stopped,
                    clocks_on_time=on_time,
                    on_time_rate=_rate(on_time, stopped),
                    on_time_by_step=by_step,
                    ratings=ratings,
                    satisfied=satisfied,
                    csat=csat,
                    csat_meets_target=None if csat is None else csat >= target,
                )
            )
        return schemas.KpiReport(
            zone=str(self.zone),
            bucket=bucket,
            from_day=first.isoformat(),
            to_day=last.isoformat(),
            agent=shown,
            formulas=FORMULAS,
            targets={"csat": target, "first_reply_seconds": 7200.0},
            rows=out,
        )

    async def record_follow_up(self, data: schemas.RefundFollowUpIn, actor: Principal) -> schemas.RefundFollowUpOut:
        record = await self.repository.add_follow_up(
            {"order_id": data.order_id, "outcome": data.outcome, "note": data.note, "agent": actor.subject,
             "followed_at": self.clock.now()}
        )  # fmt: skip
        return schemas.RefundFollowUpOut.model_validate(record)
