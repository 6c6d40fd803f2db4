"""The five services, their ports and env prefixes, and database URLs derived per service."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote, unquote, urlsplit, urlunsplit

HOST = "127.0.0.1"
KAFKA_PORT = 9092

# Must equal aftersales_chassis.token.DEV_JWT_SECRET (a test checks) so that
# `make token` mints tokens the dev stack accepts. Kept here so that importing the
# devstack does not depend on the chassis module layout.
DEV_JWT_SECRET = "dev-only-secret-change-me-in-production"


@dataclass(frozen=True)
class Service:
    name: str
    port: int

    @property
    def env_prefix(self) -> str:
        return f"{self.name.upper()}_"

    @property
    def app(self) -> str:
        return f"{self.name}_service.main:app"

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}"


SERVICES: tuple[Service, ...] = (
    Service("tickets", 8001),
    Service("returns", 8002),
    Service("reviews", 8003),
    Service("callcenter", 8004),
    Service("finance", 8005),
)
SERVICE_NAMES: tuple[str, ...] = tuple(s.name for s in SERVICES)


def service(name: str) -> Service:
    for candidate in SERVICES:
        if candidate.name == name:
            return candidate
    raise KeyError(f"unknown service {name!r}; expected one of {', '.join(SERVICE_NAMES)}")


def libpq_url(url: str) -> str:
    """``postgresql+asyncpg://`` / ``postgres://`` -> ``postgresql://`` (what asyncpg and psql take)."""
    parts = urlsplit(url)
    scheme = parts.scheme.split("+", 1)[0]
    if scheme not in ("postgresql", "postgres"):
        raise ValueError(f"not a PostgreSQL URL: {redact(url)}")
    return urlunsplit(parts._replace(scheme="postgresql"))


def with_database(url: str, database: str) -> str:
    """The same server (host, credentials, ``?host=`` socket dir...) with another database."""
    parts = urlsplit(libpq_url(url))
    return urlunsplit(parts._replace(path="/" + quote(database, safe="")))


def database_name(url: str) -> str:
    """The database a URL names; libpq's default is the user name, then ``postgres``."""
    parts = urlsplit(libpq_url(url))
    name = unquote(parts.path.lstrip("/"))
    return name or unquote(parts.username or "") or "postgres"


def redact(url: str) -> str:
    """The URL with its password hidden, for logs and banners."""
    parts = urlsplit(url)
    if not parts.password:
        return url
    netloc = parts.netloc.rsplit("@", 1)
    user = (parts.username or "") + ":***"
    return urlunsplit(parts._replace(netloc=f"{user}@{netloc[-1]}"))
