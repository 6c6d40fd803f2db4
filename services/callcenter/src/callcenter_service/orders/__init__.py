"""Orders as the call centre learns them from the order facts (OrderPlaced, OrderPaid,
OrderSignedFor) and the returns and complaints opened on them: what A8 follow-ups and B
reminders need (the customer's phone, payment, delivery)."""
