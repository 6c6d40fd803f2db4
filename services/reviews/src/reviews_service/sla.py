"""SLA policies of the reviews service, by step id (PROCESSES.md): one SlaPolicy per timed step."""

from aftersales_sla import PolicyBook

POLICIES = PolicyBook("reviews", [])
