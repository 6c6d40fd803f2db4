"""`make bench`: runs every benchmark and prints its figures."""

from __future__ import annotations

from aftersales_chassis.logging import configure_logging

from . import (
    callback_claim,
    complaint_intake,
    event_pipeline,
    finance_ledger,
    review_intake,
    scan_ingestion,
    sla_scheduler,
    tickets_reports,
    tracing_overhead,
)

# Warnings and errors only: the scheduler bench fires thousands of clocks, each logged at info.
configure_logging("bench", level="WARNING", json=False)
sla_scheduler.main()
scan_ingestion.main()
finance_ledger.main()
tracing_overhead.main()
callback_claim.main()
complaint_intake.main()
review_intake.main()
tickets_reports.main()
event_pipeline.main()
