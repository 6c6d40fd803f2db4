"""SLA policies of the finance service, by step id (none enforced yet)."""

from aftersales_sla import PolicyBook

POLICIES = PolicyBook("finance", [])
