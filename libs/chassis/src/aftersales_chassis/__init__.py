"""aftersales_chassis."""
