"""The service chassis: what every service needs, written once.

Names are imported from their modules on first use (PEP 562), so that a small tool, such as
``python -m aftersales_chassis.token``, does not load the app, the broker client and the ORM
(2.4 s) to mint a token."""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .app import ClockDep, Extension, ServiceDefinition, create_app
    from .auth import Grant, Principal, Role, allow, mint_token
    from .clock import Clock, ManualClock, SystemClock
    from .dates import Day, Instant, Month
    from .errors import Conflict, DomainError, Forbidden, InvalidTransition, NotFound, RuleViolation
    from .money import Amount, BalanceLimit, Count, Quantity, SignedAmount
    from .openapi import ProblemDetail, problems, resent
    from .pagination import Page, PageDep, PageParams, encode_cursor, page_of
    from .settings import ServiceSettings
    from .uow import SessionDep, UnitOfWorkRoute, service_router

_MODULE_OF = {
    "ClockDep": ".app",
    "Extension": ".app",
    "ServiceDefinition": ".app",
    "create_app": ".app",
    "Grant": ".auth",
    "Principal": ".auth",
    "Role": ".auth",
    "allow": ".auth",
    "mint_token": ".auth",
    "Clock": ".clock",
    "ManualClock": ".clock",
    "SystemClock": ".clock",
    "Day": ".dates",
    "Instant": ".dates",
    "Month": ".dates",
    "Conflict": ".errors",
    "DomainError": ".errors",
    "Forbidden": ".errors",
    "InvalidTransition": ".errors",
    "NotFound": ".errors",
    "RuleViolation": ".errors",
    "Amount": ".money",
    "BalanceLimit": ".money",
    "Count": ".money",
    "Quantity": ".money",
    "SignedAmount": ".money",
    "ProblemDetail": ".openapi",
    "problems": ".openapi",
    "resent": ".openapi",
    "Page": ".pagination",
    "PageDep": ".pagination",
    "PageParams": ".pagination",
    "encode_cursor": ".pagination",
    "page_of": ".pagination",
    "ServiceSettings": ".settings",
    "SessionDep": ".uow",
    "UnitOfWorkRoute": ".uow",
    "service_router": ".uow",
}


def __getattr__(name: str) -> Any:
    module = _MODULE_OF.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(module, __name__), name)
    globals()[name] = value  # later lookups find it without this function
    return value


__all__ = [
    "Amount",
    "BalanceLimit",
    "Clock",
    "ClockDep",
    "Conflict",
    "Count",
    "Day",
    "DomainError",
    "Extension",
    "Forbidden",
    "Grant",
    "Instant",
    "InvalidTransition",
    "ManualClock",
    "Month",
    "NotFound",
    "Page",
    "PageDep",
    "PageParams",
    "Principal",
    "ProblemDetail",
    "Quantity",
    "Role",
    "RuleViolation",
    "ServiceDefinition",
    "ServiceSettings",
    "SessionDep",
    "SignedAmount",
    "SystemClock",
    "UnitOfWorkRoute",
    "allow",
    "create_app",
    "encode_cursor",
    "mint_token",
    "page_of",
    "problems",
    "resent",
    "service_router",
]
