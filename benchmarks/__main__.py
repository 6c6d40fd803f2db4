"""`make bench`: runs every benchmark and prints its figures."""

from __future__ import annotations

import logging

from . import finance_ledger, scan_ingestion, sla_scheduler

logging.basicConfig(level=logging.WARNING)
sla_scheduler.main()
scan_ingestion.main()
finance_ledger.main()
