"""The tickets service: complaints, after-sale cases (C, K, P flows), approvals and reports (PROCESSES.md §3, §4)."""
