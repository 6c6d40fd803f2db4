"""The service chassis: what every service needs, written once."""

from .app import ClockDep, Extension, ServiceDefinition, create_app
from .auth import Grant, Principal, Role, allow, mint_token
from .clock import Clock, ManualClock, SystemClock
from .dates import Day, Instant, Month
from .errors import Conflict, DomainError, Forbidden, InvalidTransition, NotFound, RuleViolation
from .money import Amount, BalanceLimit, SignedAmount
from .openapi import ProblemDetail, problems
from .pagination import Page, PageDep, PageParams, encode_cursor, page_of
from .settings import ServiceSettings
from .uow import SessionDep, UnitOfWorkRoute, service_router

__all__ = [
    "Amount",
    "BalanceLimit",
    "Clock",
    "ClockDep",
    "Conflict",
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
    "service_router",
]
