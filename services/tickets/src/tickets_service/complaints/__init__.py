"""Complaints (PROCESSES.md §4): intake from every channel, owner and reply clocks, the
merchant's public reply, waiting on the customer, merging, priority and major complaints."""
