"""The order read model, fed by the order-facts intake (docs/adr/0006-order-facts-intake.md)."""
