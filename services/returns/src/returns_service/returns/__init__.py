"""Returns after shipment: T1A2 → T1A3 → T1A4 → M → T1A5 → T2A → T1B3, exchanges T3A1–T3A4."""
