"""finance_service."""
