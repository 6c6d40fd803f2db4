"""Cancellations requested by the customer (PROCESSES.md §6.1 T1/T1B1/T1B2 and §6.4)."""
