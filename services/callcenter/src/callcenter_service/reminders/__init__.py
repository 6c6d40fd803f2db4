"""B: unpaid-order reminders (PROCESSES.md §2, §10): chat for ordinary orders, SMS in
campaign periods outside quiet hours, a phone task for large amounts; checked against payment
when scheduled and again at send time; sent once per (order, step)."""
