"""Orders as the reviews service knows them: the paid price (Z4's cap) and the customer, from
the order facts the returns service publishes."""
