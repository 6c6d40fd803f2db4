"""The outbound callback queue (PROCESSES.md §7.2): task kinds with their priority class and
due rule, one task per (source, step), leased claims with fencing tokens, attempts and
outcomes, do-not-call, and the supervisor's queue view."""
