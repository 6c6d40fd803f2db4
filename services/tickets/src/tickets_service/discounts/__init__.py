"""A5 discount authority (PROCESSES.md §1, §10): an agent grants up to 20 yuan per order, all
grants together; above it the discount waits for a supervisor other than the requester. Every
granted discount is a ``DiscountApproved`` event finance books."""
