"""Gauges of the callback queue for the ops dashboards, refreshed by a fixed-time job."""

from prometheus_client import Gauge

PRIORITY_CLASSES = ("highest", "high", "medium", "low")
TIMINGS = ("open", "leased", "at_risk", "breached")

QUEUE_DEPTH = Gauge("callcenter_queue_depth", "Open callback tasks by priority class.", ["priority_class", "timing"])
ON_TIME = Gauge("callcenter_on_time_ratio", "Closed callback tasks closed by their due time, by kind.", ["kind"])
ATTEMPTS_PER_TASK = Gauge("callcenter_attempts_per_task", "Call attempts per closed callback task (mean).")

# A series for every known label pair from start-up: the refresh job runs every 5 minutes (and
# one replica runs each instant), so a freshly started process would otherwise expose no
# queue-depth series at all until then and the dashboard's panel would show "no data".
for _class in PRIORITY_CLASSES:
    for _timing in TIMINGS:
        QUEUE_DEPTH.labels(_class, _timing)
