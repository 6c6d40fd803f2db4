"""aftersales_devstack."""
