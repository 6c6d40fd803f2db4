"""Orders as tickets knows them: a read model fed by the order facts returns publishes (ADR 0006),
so a complaint about an order is linked to its customer, merchant and paid amount."""
