from aftersales_workflow.migrations import run_service_migrations
from finance_service.db import Base

# Every feature's tables, on the one metadata the migrations compare against.
from finance_service.ledger import models as ledger_models  # noqa: F401
from finance_service.periods import models as periods_models  # noqa: F401
from finance_service.settlement import models as settlement_models  # noqa: F401

run_service_migrations(Base.metadata)
