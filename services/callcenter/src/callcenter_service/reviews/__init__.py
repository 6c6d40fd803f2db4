"""What reviews (§5) asks of the call centre: the 24 h call (W1), its withdrawal when the case
ends first (W5), and the customer flag (E3) shown on that customer's call tasks."""
