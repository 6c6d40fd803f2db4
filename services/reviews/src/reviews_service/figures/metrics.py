"""What ops dashboards read about reviews: open cases by path, the 24 h call's on-time share and
its breaches (refreshed hourly by a job, and whenever the figures are read)."""

from prometheus_client import Gauge

OPEN_CASES = Gauge("reviews_open_cases", "Open review cases by path (awaiting_call before the call).", ["path"])
CALL_ON_TIME = Gauge(
    "reviews_call_on_time_ratio", "Share of 24 h calls due in the last 30 days made on time (0 to 1).", []
)
CALL_BREACHES = Gauge("reviews_call_breaches", "24 h calls due in the last 30 days made late or not at all.", [])
