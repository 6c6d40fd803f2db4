"""The merchants' red/black list of a month (PROCESSES.md §4, seed 001 月度红黑榜): nominated from
the monthly analysis by published rules, reviewed and decided by a supervisor by the end of the
10th of the next month (clock §4.6), immutable once decided, corrected by audited new versions."""
