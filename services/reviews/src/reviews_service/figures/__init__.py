"""Figures: the daily review-handling table (中差评处理表), product ratings and their proactive
follow-ups (< 4.8, seed 002), DSR-style shop figures per marketplace, and the gauges dashboards
read. A review whose malicious report was upheld counts in none of them."""
