"""Refund requests (退款申请): the customer asks for their money back; T1 routes the request
to a cancellation (not shipped, T1B) or to agreeing a return (shipped, T1A1) (PROCESSES.md §6.1, §6.2)."""
