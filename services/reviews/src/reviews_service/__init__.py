"""The reviews service: neutral and negative reviews, remedies and malicious-review reports (PROCESSES.md §5)."""
