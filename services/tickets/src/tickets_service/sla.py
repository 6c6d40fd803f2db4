"""SLA policies of the tickets service, by step id (none enforced yet)."""

from aftersales_sla import PolicyBook

POLICIES = PolicyBook("tickets", [])
