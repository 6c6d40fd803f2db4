"""SLA policies of the reviews service, by step id (none enforced yet)."""

from aftersales_sla import PolicyBook

POLICIES = PolicyBook("reviews", [])
