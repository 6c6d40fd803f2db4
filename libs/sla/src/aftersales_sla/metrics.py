"""What ops dashboards read: open clocks, warnings, breaches, on-time ratio, margins."""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram

SLA_OPEN = Gauge("sla_open_clocks", "Open (running or paused) clocks by step.", ["service", "step"])
SLA_AT_RISK = Gauge("sla_at_risk_clocks", "Open clocks past their warning time, not breached.", ["service", "step"])
SLA_OVERDUE = Gauge("sla_overdue_clocks", "Open clocks past their due time.", ["service", "step"])
SLA_ON_TIME_RATIO = Gauge(
    "sla_on_time_ratio", "Stopped clocks met on time ÷ all stopped clocks, by step.", ["service", "step"]
)
SLA_WARNINGS = Counter("sla_warnings_total", "SlaWarning events fired.", ["service", "step"])
SLA_BREACHES = Counter("sla_breaches_total", "SlaBreached events fired.", ["service", "step"])
SLA_STOPPED = Counter(
    "sla_stopped_total", "Clocks stopped, by outcome (met, breached).", ["service", "step", "outcome"]
)
SLA_TIME_TO_BREACH = Histogram(
    "sla_time_to_breach_at_stop_seconds",
    "How much time was left when a step was done on time.",
    ["service", "step"],
    buckets=(60, 300, 900, 1800, 3600, 7200, 14400, 28800, 86400, 172800, 259200, 604800),
)
SLA_TICK = Histogram(
    "sla_scheduler_tick_seconds",
    "Duration of one scheduler tick.",
    ["service"],
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0),
)


def observe_stop(service: str, step: str, outcome: str, seconds_left: float) -> None:
    SLA_STOPPED.labels(service, step, outcome).inc()
    if outcome == "met":
        SLA_TIME_TO_BREACH.labels(service, step).observe(max(seconds_left, 0.0))
