"""SLA policies of the callcenter service, by step id (none enforced yet)."""

from aftersales_sla import PolicyBook

POLICIES = PolicyBook("callcenter", [])
