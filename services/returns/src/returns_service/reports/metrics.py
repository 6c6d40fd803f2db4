"""Return-rate gauges (overall and by reason; products stay in the endpoint: unbounded labels)."""

from prometheus_client import Gauge

RETURN_RATE = Gauge("returns_return_rate", "Return rate of the current month (target < 5%).", ["dimension", "key"])
