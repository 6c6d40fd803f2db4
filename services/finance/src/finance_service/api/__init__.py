"""The finance service's HTTP routers."""

from .ledger import router as ledger_router
from .periods import router as periods_router
from .settlements import router as settlements_router

ROUTERS = [ledger_router, periods_router, settlements_router]

__all__ = ["ROUTERS"]
