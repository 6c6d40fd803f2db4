"""reviews_service."""
