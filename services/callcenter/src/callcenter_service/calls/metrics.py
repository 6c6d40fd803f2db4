"""Gauges of the call log for the ops dashboards."""

from prometheus_client import Gauge

CALL_LOSS_RATE = Gauge("callcenter_call_loss_rate_percent", "Today's call-loss rate (§7.1: at most 25%).")
