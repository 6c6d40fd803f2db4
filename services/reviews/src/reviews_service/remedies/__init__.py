"""Remedies for a quality complaint in a review (Z4 → Z5 → Z6): within the order's paid price,
cumulative per order; approved by a supervisor other than the proposer; then RemedyApproved for
finance. A remedy is its own record, never conditional on the review being amended."""
