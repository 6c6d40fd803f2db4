"""What the generated scenarios (issue 23: 7 generated requests, 8 the role matrix, 9
idempotency, 10 personal data in logs) share: one stack of the five services for the
session, their OpenAPI documents, the operations read from them with the roles each
declares (``x-roles``), and tokens, good and bad.

A pytest plugin: the test modules name it in ``pytest_plugins``, so its session fixtures
start the stack once for all of them.
"""

from __future__ import annotations

import base64
import json
import uuid
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import jwt
import pytest
import requests

from aftersales_chassis import Role
from aftersales_chassis.claims import mint_token
from aftersales_devstack.services import ServiceProcess, running_services
from aftersales_devstack.urls import SERVICE_NAMES

HTTP_METHODS = ("get", "put", "post", "delete", "patch")
MERCHANT_ROLE_ID = "M-ROLES"


@pytest.fixture(scope="session")
def generated_stack(
    service_database_url: Callable[..., str], kafka_bootstrap: str, jwt_secret: str
) -> Iterator[dict[str, ServiceProcess]]:
    """The five services as processes on databases of their own: generated requests leave
    data behind that no other test must see."""
    urls = {name: service_database_url(name, suffix="gen") for name in SERVICE_NAMES}
    # Generous: five services importing at once on a loaded two-core machine take their time.
    with running_services(urls, kafka_bootstrap=kafka_bootstrap, jwt_secret=jwt_secret, timeout=240) as processes:
        yield processes


@pytest.fixture(scope="session")
def http() -> Iterator[requests.Session]:
    with requests.Session() as session:
        yield session


@pytest.fixture(scope="session")
def documents(generated_stack: dict[str, ServiceProcess], http: requests.Session) -> dict[str, dict[str, Any]]:
    """Each service's OpenAPI document, as it serves it."""
    found: dict[str, dict[str, Any]] = {}
    for name, process in generated_stack.items():
        response = http.get(f"{process.url}/openapi.json", timeout=30)
        response.raise_for_status()
        found[name] = response.json()
    return found


@dataclass(frozen=True)
class Caller:
    """Who calls: a role, a scope it may hold, a merchant id for a merchant."""

    role: Role
    scopes: tuple[str, ...] = ()
    subject: str | None = None
    merchant_id: str | None = None

    @property
    def label(self) -> str:
        return self.role.value + (f"[{','.join(self.scopes)}]" if self.scopes else "")

    def token(self, secret: str) -> str:
        return mint_token(
            secret,
            subject=self.subject or f"matrix-{self.label}",
            roles=[self.role],
            scopes=self.scopes,
            merchant_id=self.merchant_id,
        )


CALLERS: tuple[Caller, ...] = (
    *(Caller(role, merchant_id=MERCHANT_ROLE_ID if role is Role.merchant else None) for role in Role),
    Caller(Role.agent, scopes=("refund:approve",)),
)
"""Every role, plus the scoped grant an operation may name (``agent[refund:approve]``)."""


@dataclass(frozen=True)
class Operation:
    service: str
    method: str
    path: str
    operation_id: str
    roles: tuple[str, ...] | None
    """``x-roles``: the grants that admit a caller (``agent[refund:approve]``); None: public."""
    spec: Mapping[str, Any]

    @property
    def label(self) -> str:
        return f"{self.service} {self.method.upper()} {self.path}"

    def admits(self, caller: Caller) -> bool:
        if self.roles is None:
            return True
        for grant in self.roles:
            role, _, scope = grant.partition("[")
            if role == caller.role.value and (not scope or scope.rstrip("]") in caller.scopes):
                return True
        return False

    @property
    def body_media(self) -> str | None:
        content = (self.spec.get("requestBody") or {}).get("content") or {}
        return next(iter(content), None)


def operations(documents: Mapping[str, Mapping[str, Any]]) -> list[Operation]:
    found = []
    for service, document in documents.items():
        for path, item in document["paths"].items():
            for method, spec in item.items():
                if method in HTTP_METHODS:
                    roles = spec.get("x-roles")
                    found.append(
                        Operation(service, method, path, spec["operationId"], tuple(roles) if roles else None, spec)
                    )
    return found


_SAMPLE_ID = str(uuid.UUID(int=0x5A3E))


def _sample(schema: Mapping[str, Any], name: str) -> str:
    """A value of the parameter's type (no such resource exists): the request gets past
    validation to the role check and the use case."""
    options = [schema, *schema.get("anyOf", [])]
    for option in options:
        if "enum" in option:
            return str(option["enum"][0])
        if option.get("format") == "uuid":
            return _SAMPLE_ID
        if option.get("format") == "date" or name in {"day", "event_date"}:
            return "2026-11-23"
        if name == "month" or "YYYY-MM" in str(option.get("pattern", "")) or "{2}$" in str(option.get("pattern", "")):
            return "2026-11"
        if option.get("type") == "integer":
            return "1"
    if name == "merchant_id":
        return MERCHANT_ROLE_ID
    return "x-1"


def concrete_path(operation: Operation) -> str:
    path = operation.path
    for parameter in operation.spec.get("parameters", []):
        if parameter["in"] == "path":
            path = path.replace("{" + parameter["name"] + "}", _sample(parameter.get("schema", {}), parameter["name"]))
    return path


def call(http: requests.Session, base_url: str, operation: Operation, headers: Mapping[str, str]) -> requests.Response:
    """The operation with its path filled in and an empty body of its media type."""
    kwargs: dict[str, Any] = {"headers": dict(headers), "timeout": 30}
    media = operation.body_media
    if media == "application/json":
        kwargs["json"] = {}
    elif media == "multipart/form-data":
        kwargs["files"] = {"file": ("a.txt", b"x", "text/plain")}
    return http.request(operation.method.upper(), base_url + concrete_path(operation), **kwargs)


def _b64(raw: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(raw).encode()).rstrip(b"=").decode()


def bad_tokens(secret: str) -> dict[str, str | None]:
    """Authorization values that must be refused with 401 on every guarded operation."""
    good = mint_token(secret, subject="abuse", roles=list(Role))
    claims = json.loads(base64.urlsafe_b64decode(good.split(".")[1] + "=="))
    without_sub = {k: v for k, v in claims.items() if k != "sub"}

    return {
        "no token": None,
        "not bearer": f"Basic {good}",
        "expired": "Bearer " + mint_token(secret, subject="abuse", roles=list(Role), ttl=timedelta(minutes=-5)),
        "another key": "Bearer " + mint_token(secret + "-not-ours", subject="abuse", roles=list(Role)),
        "alg none": "Bearer " + _b64({"alg": "none", "typ": "JWT"}) + "." + _b64(claims) + ".",
        "no sub": "Bearer " + jwt.encode(without_sub, secret, algorithm="HS256"),
        "garbage": "Bearer not.a.jwt",
    }


def cancel_on() -> str:
    """A deposit cancellation day callcenter accepts (§7.3: at least 3 working days ahead):
    a Wednesday two to three weeks out, by the real clock the services run on."""
    day = date.today() + timedelta(days=14)
    return (day + timedelta(days=(2 - day.weekday()) % 7)).isoformat()
