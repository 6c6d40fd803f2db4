"""The services (named in ``aftersales_events.services``), their ports and env prefixes, and
database URLs derived per service."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from urllib.parse import quote, unquote, urlsplit, urlunsplit

# Re-exported: the devstack's callers read the names here.
from aftersales_events.services import SERVICE_NAMES as SERVICE_NAMES

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


# The dev stack's port of each service in aftersales_events.services (the one list of names).
PORTS: dict[str, int] = {"tickets": 8001, "returns": 8002, "reviews": 8003, "callcenter": 8004, "finance": 8005}


def _services(names: Sequence[str], ports: Mapping[str, int]) -> tuple[Service, ...]:
    """One :class:`Service` per name, in the list's order; a name without a port (or a port
    for no service) is a mistake made when a service is added, said at import."""
    if set(ports) != set(names):
        missing, extra = sorted(set(names) - set(ports)), sorted(set(ports) - set(names))
        raise RuntimeError(
            f"the dev stack's ports do not match the services: no port for {missing}, no service {extra}"
        )
    return tuple(Service(name, ports[name]) for name in names)


SERVICES: tuple[Service, ...] = _services(SERVICE_NAMES, PORTS)


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
