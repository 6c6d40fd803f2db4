"""Every step id of ``PROCESSES.md`` (the seeds' own ids), and section ids for the processes
the seeds give no step ids (``§6.4`` cancellations, ``§8`` settlement, ...).

A transition names one of these, so that an operator who knows the paper process finds the
step in the audit trail; a mistyped id fails when the service's module loads.
"""

from __future__ import annotations

_PRESALE = [f"A{n}" for n in range(1, 9)]
_REMINDERS = [f"B{n}" for n in range(1, 6)]
_CASES = ["C1", "C2", "C3", "C3A", "C3B", "C3B1", "C3B2", "C4", "C5", "K1", "K2"]
_QUALITY = ["P1", "P2", "P2A", "P2A1", "P2A2", "P2B", "P2B1", "P2B2", "P2B3"]
_REVIEWS = [*(f"W{n}" for n in range(1, 6)), *(f"Z{n}" for n in range(1, 7)), "E1", "E2", "E3"]
_RETURNS = [
    "T1", "T1B", "T1B1", "T1B2", "T1B3", "T1A", "T1A1", "T1A2", "T1A3", "T1A4", "T1A5",
    "T2", "T2A", "T2B", "T3A1", "T3A2", "T3A4", "T3B1", "T4", "T5",
]  # fmt: skip
_PARCELS = ["M", "M1", "M2", "M3", "M4", "M5", "M6", "M7", "M10", "M12"]
# Processes the seeds describe without step ids, named by their section in PROCESSES.md.
_SECTIONS = ["§3", "§4", "§6.4", "§7.1", "§7.2", "§7.3", "§8", "§9"]
# §4's timed bullets, numbered in the section's order (the seeds number none of them): a named
# owner within 1 h (§4.2), a reply within 2 h (§4.3), the merchant's public reply to a forum or
# Weibo complaint within 1 wd (§4.4), an inbound-call complaint at once to the dedicated person
# (§4.5); the merchants' red/black list of a month decided by the end of the 10th of the next
# (§4.6, the monthly analysis' last bullet). Each is a clock of its own, so each needs an id of its own.
_COMPLAINTS = ["§4.2", "§4.3", "§4.4", "§4.5", "§4.6"]

SPEC_STEPS: frozenset[str] = frozenset(
    [*_PRESALE, *_REMINDERS, *_CASES, *_QUALITY, *_REVIEWS, *_RETURNS, *_PARCELS, *_SECTIONS, *_COMPLAINTS]
)
