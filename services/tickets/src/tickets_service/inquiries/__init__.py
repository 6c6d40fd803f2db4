"""Pre-sale inquiries (PROCESSES.md §1): A1 recorded from the shop chat and by agents, A3's
detail questions on a 24 h clock, conversion by an order within the window, failures kept with
their reason, unconverted inquiries queued for follow-up."""
