from __future__ import annotations

import pytest

from aftersales_chassis.token import DEV_JWT_SECRET as CHASSIS_DEV_SECRET
from aftersales_devstack import DEV_JWT_SECRET, SERVICE_NAMES
from aftersales_devstack.stack import database_urls
from aftersales_devstack.urls import (
    PORTS,
    SERVICES,
    _services,
    database_name,
    libpq_url,
    redact,
    service,
    with_database,
)

SOCKET_URL = "postgresql://postgres:@/postgres?host=/tmp/pg/data"


def test_with_database_keeps_socket_query_string() -> None:
    assert with_database(SOCKET_URL, "aftersales_returns") == (
        "postgresql://postgres:@/aftersales_returns?host=/tmp/pg/data"
    )


def test_with_database_keeps_host_credentials_and_normalises_the_driver() -> None:
    url = "postgresql+asyncpg://app:s3cret@db.internal:6543/main?sslmode=require"
    assert with_database(url, "t0badcafe_finance") == (
        "postgresql://app:s3cret@db.internal:6543/t0badcafe_finance?sslmode=require"
    )


def test_with_database_adds_a_path_when_the_url_has_none() -> None:
    assert with_database("postgres://postgres@127.0.0.1:5432", "x") == "postgresql://postgres@127.0.0.1:5432/x"


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (SOCKET_URL, "postgres"),
        ("postgresql://bob@h/", "bob"),
        ("postgresql://h", "postgres"),
        ("postgresql://u@h/aftersales_tickets?x=1", "aftersales_tickets"),
    ],
)
def test_database_name(url: str, expected: str) -> None:
    assert database_name(url) == expected


def test_database_urls_one_per_service() -> None:
    urls = database_urls("postgresql://postgres@127.0.0.1:5432/postgres", "aftersales_")
    assert list(urls) == list(SERVICE_NAMES)
    assert urls["callcenter"] == "postgresql://postgres@127.0.0.1:5432/aftersales_callcenter"


def test_libpq_url_rejects_other_schemes() -> None:
    with pytest.raises(ValueError, match="not a PostgreSQL URL"):
        libpq_url("mysql://u:p@h/db")


def test_redact_hides_only_a_real_password() -> None:
    assert redact("postgresql://app:s3cret@h:1/db") == "postgresql://app:***@h:1/db"
    assert redact(SOCKET_URL) == SOCKET_URL


def test_services_have_fixed_ports_and_prefixes() -> None:
    returns = service("returns")
    assert (returns.port, returns.env_prefix, returns.app) == (
        8002,
        "RETURNS_",
        "returns_service.main:app",
    )
    with pytest.raises(KeyError):
        service("shipping")


def test_dev_secret_matches_the_token_cli() -> None:
    assert DEV_JWT_SECRET == CHASSIS_DEV_SECRET


def test_the_stack_runs_the_one_list_of_services_in_its_order() -> None:
    from aftersales_events.services import SERVICE_NAMES as ONE_LIST

    assert SERVICE_NAMES is ONE_LIST
    assert [s.name for s in SERVICES] == list(ONE_LIST)
    assert len({s.port for s in SERVICES}) == len(SERVICES)


def test_a_service_without_a_port_or_a_port_without_a_service_is_refused() -> None:
    with pytest.raises(RuntimeError, match=r"no port for \['shipping'\], no service \[\]"):
        _services([*SERVICE_NAMES, "shipping"], PORTS)
    with pytest.raises(RuntimeError, match=r"no port for \[\], no service \['returns'\]"):
        _services([n for n in SERVICE_NAMES if n != "returns"], PORTS)
