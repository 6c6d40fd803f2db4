"""Deposit cancellations (退订, PROCESSES.md §7.3): booked at least 3 working days ahead, the
merchant asked on the booking day, the outcome recorded, a daily ledger, and
``DepositCancelled`` for finance's reconciliation of the cancellation float."""
