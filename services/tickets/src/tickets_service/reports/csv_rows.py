"""Each report as CSV lines (aftersales_chassis.csv: RFC 4180, UTF-8 with a BOM): one line per
figure, ``section`` saying which part of the report it belongs to."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from . import schemas

DAILY_COLUMNS = ["day", "received", "merged", "major", "closed", "by_channel", "by_priority", "breaches"]
FIGURE_COLUMNS = ["section", "key", "complaints", "major"]
MERCHANT_COLUMNS = [
    "section", "rank", "merchant_id", "complaints", "major", "public_complaints", "merchant_replied",
    "avg_reply_hours", "clocks_stopped", "on_time", "breaches", "on_time_percent",
]  # fmt: skip
ANALYSIS_COLUMNS = [
    *MERCHANT_COLUMNS, "key", "step", "stopped", "met", "breached", "complaint_id", "received_at",
    "channel", "priority", "state", "owner", "subject",
]  # fmt: skip
ANOMALY_COLUMNS = ["section", "kind", "liability", "cases", "currency", "refunds", "amount_minor", "step", "breaches"]
WEEKLY_COLUMNS = [*ANALYSIS_COLUMNS, "age_hours", "breached_steps"]


def _pairs(values: dict[str, int]) -> str:
    return ";".join(f"{k}={v}" for k, v in values.items())


def daily(report: schemas.DailyReport) -> list[dict[str, Any]]:
    return [
        row.model_dump()
        | {
            "by_channel": _pairs(row.by_channel),
            "by_priority": _pairs(row.by_priority),
            "breaches": _pairs(row.breaches),
        }
        for row in report.days
    ]


def _merchants(section: str, merchants: list[schemas.MerchantFigures]) -> Iterator[dict[str, Any]]:
    for figure in merchants:
        yield {"section": section, **figure.model_dump()}


def _clocks(clocks: list[schemas.StepClocks]) -> Iterator[dict[str, Any]]:
    for clock in clocks:
        yield {"section": "clocks", **clock.model_dump()}


def _alerts(section: str, alerts: list[schemas.MajorAlert]) -> Iterator[dict[str, Any]]:
    for alert in alerts:
        yield {
            "section": section, "complaint_id": alert.id, "received_at": alert.received_at.isoformat(),
            "channel": alert.channel, "priority": alert.priority, "merchant_id": alert.merchant_id,
            "state": alert.state, "owner": alert.owner, "subject": alert.subject,
        }  # fmt: skip


def analysis(report: schemas.Analysis) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = [{"section": "total", "complaints": report.complaints, "major": report.major}]
    for name, counts in (("month", report.by_month), ("category", report.by_category),
                         ("channel", report.by_channel), ("brand", report.by_brand),
                         ("priority", report.by_priority)):  # fmt: skip
        for count in counts:
            key = count.month if isinstance(count, schemas.MonthTotal) else count.key
            rows.append({"section": name, "key": key, "complaints": count.complaints, "major": count.major})
    rows += _merchants("merchant", report.merchants)
    rows += _alerts("major_alert", report.major_alerts)
    rows += _clocks(report.clocks)
    return rows


def weekly(report: schemas.Weekly) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = [{"section": "total", "complaints": report.complaints, "major": report.major}]
    rows += _alerts("major", report.major_complaints)
    for item in report.unresolved.items:
        rows.append({
            "section": "unresolved", "complaint_id": item.id, "received_at": item.received_at.isoformat(),
            "channel": item.channel, "priority": item.priority, "merchant_id": item.merchant_id,
            "state": item.state, "owner": item.owner, "subject": item.subject, "age_hours": item.age_hours,
            "breached_steps": ";".join(item.breached_steps),
        })  # fmt: skip
    rows += _merchants("cooperation", report.cooperation)
    rows += _clocks(report.clocks)
    return rows


def anomalies(report: schemas.AnomalySummary) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = [{"section": "cases", **c.model_dump()} for c in report.cases]
    rows += [{"section": "abnormal_refunds", **r.model_dump()} for r in report.abnormal_refunds]
    rows += [{"section": "breaches", **b.model_dump()} for b in report.breaches]
    return rows


def cooperation(report: schemas.Cooperation) -> list[dict[str, Any]]:
    return list(_merchants("cooperation", report.merchants))
