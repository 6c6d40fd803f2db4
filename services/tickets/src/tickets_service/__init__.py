"""tickets_service."""
