"""The reports the complaints floor is run by (PROCESSES.md §4, §9; seeds 000, 001): daily complaint
statistics, the monthly anomaly summary, the weekly report, the monthly analysis and its quarterly
roll-up. JSON or CSV; every bucket is taken in the business calendar's zone (§10). ADR 0026."""
