"""callcenter_service."""
