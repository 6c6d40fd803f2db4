"""aftersales_events."""
