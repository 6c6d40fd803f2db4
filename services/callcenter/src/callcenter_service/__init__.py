"""The callcenter service: call log, callback queue, reminders, deposit cancellations (PROCESSES.md §7, §2)."""
