"""What ops dashboards read about the warehouse: scan outcomes and parcel identification."""

from __future__ import annotations

from prometheus_client import Counter

SCANS = Counter("parcel_scans_total", "Scans received from warehouse scanners, by outcome.", ["outcome"])
PARCELS = Counter(
    "parcels_total",
    "Parcels by identification outcome (matched by rule, unmatched, unclaimed, claimed).",
    ["outcome", "rule"],
)
