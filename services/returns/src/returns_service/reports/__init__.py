"""Return reports: the daily detail table, the monthly summary (T4), the return rate."""
