"""After-sale cases (PROCESSES.md §3): one case per order problem, C short or wrong shipment,
K courier damage, loss or delay, P product quality; their evidence, remedies and money rules."""
