"""Marketplaces: the port reviews talks to them through (reports, amendment requests, their
published rules) and the operator's per-marketplace amendment policy (W3, PROCESSES.md §10)."""
