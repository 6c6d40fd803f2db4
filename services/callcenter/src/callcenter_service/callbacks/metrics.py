"""Gauges of the callback queue for the ops dashboards, refreshed by a fixed-time job."""

from prometheus_client import Gauge

QUEUE_DEPTH = Gauge("callcenter_queue_depth", "Open callback tasks by priority class.", ["priority_class", "timing"])
ON_TIME = Gauge("callcenter_on_time_ratio", "Closed callback tasks closed by their due time, by kind.", ["kind"])
ATTEMPTS_PER_TASK = Gauge("callcenter_attempts_per_task", "Call attempts per closed callback task (mean).")
