"""returns_service."""
