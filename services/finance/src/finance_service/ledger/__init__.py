"""The double-entry ledger: booking, reading, balances, reconciliation."""

from .booking import Booked, Entry, LedgerService, Leg

__all__ = ["Booked", "Entry", "LedgerService", "Leg"]
