"""Writes the Grafana dashboard (deploy/grafana/dashboards/) and deploy/METRICS.md from PANELS.

    .venv/bin/python deploy/dashboards.py [--check]

Each panel is a title and its PromQL queries; tests/deploy/test_prometheus.py evaluates every
one against a real Prometheus scraping the five running services and requires series. A
metric that a service has not built yet is named in PENDING_METRICS with its service: the
test skips only those panels, and only while no service exports the metric (METRICS.md lists
them as the contract for the service that will export them).
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
DASHBOARD = HERE / "grafana" / "dashboards" / "aftersales-operations.json"
METRICS_DOC = HERE / "METRICS.md"


@dataclass(frozen=True)
class Panel:
    title: str
    queries: tuple[str, ...]
    unit: str = "short"
    kind: str = "timeseries"


# Metrics the dashboards read that a service does not export yet: name -> (service, type, labels,
# meaning). Empty today: every panel reads what the services export. A metric planned for a panel
# before its service builds it goes here, so that its panel skips (naming it) rather than fails.
PENDING_METRICS: dict[str, tuple[str, str, str, str]] = {}

ROWS: tuple[tuple[str, tuple[Panel, ...]], ...] = (
    (
        "SLA",
        (
            Panel(
                "SLA on-time % by service and step", ("100 * max by (service, step) (sla_on_time_ratio)",), "percent"
            ),
            Panel(
                "SLA breaches by service and step (1 h)",
                (
                    "sum by (service, step) (increase(sla_breaches_total[1h]))"
                    " or 0 * sum by (service, step) (sla_open_clocks)",
                ),
            ),
            Panel("At-risk clocks by step", ("sum by (service, step) (sla_at_risk_clocks)",)),
            Panel(
                "Open and overdue clocks",
                ("sum by (service) (sla_open_clocks)", "sum by (service) (sla_overdue_clocks)"),
            ),
        ),
    ),
    (
        "Events",
        (
            Panel("Outbox backlog (rows)", ("max by (service) (outbox_unpublished_rows)",)),
            Panel(
                "Relay lag: oldest unpublished row", ("max by (service) (outbox_oldest_unpublished_age_seconds)",), "s"
            ),
            Panel("Events published by topic", ("sum by (service, topic) (rate(events_published_total[5m]))",), "ops"),
            Panel("Consumer lag by consumer and topic", ("sum by (service, topic) (consumer_lag_messages)",)),
            Panel(
                "Dead-lettered messages by consumer",
                (
                    "sum by (service, topic) (events_dead_lettered_total)"
                    " or 0 * sum by (service, topic) (consumer_lag_messages)",
                ),
            ),
            Panel(
                "Events consumed by outcome", ("sum by (service, outcome) (rate(events_consumed_total[5m]))",), "ops"
            ),
        ),
    ),
    (
        "HTTP",
        (
            Panel("Requests by route", ("sum by (service, route) (rate(http_requests_total[5m]))",), "reqps"),
            Panel(
                "Server errors ÷ requests by service",
                (
                    # zero, not no data, for a service without errors
                    '(sum by (service) (rate(http_requests_total{status=~"5.."}[5m]))'
                    " or 0 * sum by (service) (rate(http_requests_total[5m])))"
                    " / sum by (service) (rate(http_requests_total[5m]))",
                ),
                "percentunit",
            ),
            Panel(
                "Refusals (4xx) by route",
                ('sum by (service, route) (rate(http_requests_total{status=~"4.."}[5m]))',),
                "reqps",
            ),
            Panel(
                "Latency p95 by route",
                (
                    "histogram_quantile(0.95, sum by (service, route, le)"
                    " (rate(http_request_duration_seconds_bucket[5m])))",
                ),
                "s",
            ),
        ),
    ),
    (
        "Business",
        (
            Panel(
                "Ledger: events booked by finance",
                ('sum by (topic) (rate(events_consumed_total{service="finance", outcome="applied"}[5m]))',),
                "ops",
            ),
            Panel(
                "Return rate this month (target < 5%)",
                ("max by (dimension, key) (returns_return_rate)",),
                "percentunit",
            ),
            Panel("Parcel scans by outcome", ("sum by (outcome) (rate(parcel_scans_total[5m]))",), "ops"),
            Panel(
                # callcenter's own figure (PROCESSES.md §10's formula: short abandons left out),
                # refreshed every 5 min; max, not sum, as every replica exports its own copy
                "Call-loss rate today (target ≤ 25%)",
                ("max(callcenter_call_loss_rate_percent)",),
                "percent",
            ),
            Panel(
                "Callback queue: open tasks by priority class",
                ('max by (priority_class) (callcenter_queue_depth{timing="open"})',),
            ),
            Panel("Complaints by channel (1 d)", ("sum by (channel) (increase(complaints_received_total[1d]))",)),
            Panel(
                # tickets' gauge, refreshed every minute by one replica; max, as every replica exports
                # the figure it last set. On-time % and breaches by step: the SLA row (service="tickets").
                "Open complaints by channel and priority",
                ("max by (channel, priority) (tickets_open_complaints)",),
            ),
        ),
    ),
)


def dashboard() -> dict[str, Any]:
    panels: list[dict[str, Any]] = []
    y = 0
    next_id = 1
    for row_title, row_panels in ROWS:
        panels.append({"id": next_id, "type": "row", "title": row_title, "collapsed": False,
                       "gridPos": {"h": 1, "w": 24, "x": 0, "y": y}, "panels": []})  # fmt: skip
        next_id += 1
        y += 1
        for index, panel in enumerate(row_panels):
            panels.append(
                {
                    "id": next_id,
                    "type": panel.kind,
                    "title": panel.title,
                    "datasource": {"type": "prometheus", "uid": "prometheus"},
                    "gridPos": {"h": 8, "w": 8, "x": 8 * (index % 3), "y": y + 8 * (index // 3)},
                    "fieldConfig": {"defaults": {"unit": panel.unit}, "overrides": []},
                    "targets": [
                        {
                            "refId": chr(ord("A") + i),
                            "expr": expr,
                            "datasource": {"type": "prometheus", "uid": "prometheus"},
                        }
                        for i, expr in enumerate(panel.queries)
                    ],
                }
            )
            next_id += 1
        y += 8 * ((len(row_panels) + 2) // 3)
    return {
        "uid": "aftersales-operations",
        "title": "After-sales operations",
        "tags": ["aftersales"],
        "timezone": "browser",
        "schemaVersion": 39,
        "version": 1,
        "refresh": "30s",
        "time": {"from": "now-6h", "to": "now"},
        "panels": panels,
    }


def metrics_doc() -> str:
    lines = [
        "# Metrics the dashboards and alerts read",
        "",
        "Generated by `deploy/dashboards.py`. Panels: `deploy/grafana/dashboards/`; alerts:",
        "`deploy/prometheus/rules/`. Every panel is evaluated against the five running services by",
        "`tests/deploy/test_prometheus.py`.",
    ]
    if PENDING_METRICS:
        lines += [
            "",
            "## Still to be exported (their panels are skipped until a service exports them)",
            "",
            "| metric | service | type | labels | meaning |",
            "|---|---|---|---|---|",
        ]
        for name, (service, kind, labels, meaning) in PENDING_METRICS.items():
            lines.append(f"| `{name}` | {service} | {kind} | {labels} | {meaning} |")
    lines += ["", "## Panels", ""]
    for row_title, row_panels in ROWS:
        lines.append(f"- **{row_title}**")
        lines += [f"  - {panel.title}: `{'`, `'.join(panel.queries)}`" for panel in row_panels]
    return "\n".join(lines) + "\n"


def outputs() -> dict[Path, str]:
    return {DASHBOARD: json.dumps(dashboard(), indent=2, ensure_ascii=False) + "\n", METRICS_DOC: metrics_doc()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--check", action="store_true")
    args = parser.parse_args(argv)
    stale = [path for path, text in outputs().items() if not path.exists() or path.read_text() != text]
    if args.check:
        if stale:
            print("stale (run deploy/dashboards.py):", *map(str, stale), file=sys.stderr)
        return 1 if stale else 0
    for path, text in outputs().items():
        path.write_text(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
