"""Warehouse parcels (PROCESSES.md §6.3, M … M12): scanner ingestion, matching to returns,
the customer-service identification queue and the unclaimed-parcel register."""
