"""Malicious reviews: E2 reported to the marketplace with a reason from a fixed list and evidence
behind the storage port, the marketplace's outcome tracked (upheld removes the review from the
figures), and E3 the customer flagged (CustomerFlagged)."""
