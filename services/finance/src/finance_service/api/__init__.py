"""The finance service's HTTP routers."""

from .ledger import router as ledger_router

ROUTERS = [ledger_router]

__all__ = ["ROUTERS"]
