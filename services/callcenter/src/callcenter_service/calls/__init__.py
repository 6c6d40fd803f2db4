"""The inbound call log (PROCESSES.md §7.1): call events from the telephony system, the
call-loss rate per business day, the missed-call list and its sweeps into callbacks, and
complaint calls handed to a named owner."""
