"""Reviews and their cases: intake from the marketplaces, the 24 h call, and the three paths
(misunderstanding W1–W5, quality Z1–Z3 then W3–W5, malicious E1–E3), PROCESSES.md §5."""
