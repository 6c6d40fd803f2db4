"""The shared role sets and their ready aliases admit exactly the roles their names say."""

from __future__ import annotations

from typing import Any, get_args

import pytest

from aftersales_chassis import Grant, Role
from aftersales_chassis.roles import (
    BACK_OFFICE,
    SERVICE,
    STAFF,
    AgentOrSupervisor,
    BackOfficeReader,
    FinanceOnly,
    ServiceAccount,
    SupervisorOnly,
    WarehouseOnly,
)


def _grants(alias: Any) -> tuple[Grant, ...]:
    _, depends = get_args(alias)
    grants: tuple[Grant, ...] = depends.dependency.allowed_grants
    return grants


@pytest.mark.parametrize(
    ("alias", "roles"),
    [
        (AgentOrSupervisor, ["agent", "supervisor"]),
        (SupervisorOnly, ["supervisor"]),
        (WarehouseOnly, ["warehouse"]),
        (FinanceOnly, ["finance"]),
        (ServiceAccount, ["service"]),
        (BackOfficeReader, ["agent", "supervisor", "warehouse", "finance"]),
    ],
    ids=["AgentOrSupervisor", "SupervisorOnly", "WarehouseOnly", "FinanceOnly", "ServiceAccount", "BackOfficeReader"],
)
def test_each_alias_admits_its_roles_in_order(alias: Any, roles: list[str]) -> None:
    assert [str(g) for g in _grants(alias)] == roles


def test_the_back_office_is_staff_warehouse_and_finance_but_no_outsider() -> None:
    assert (*STAFF, Role.warehouse, Role.finance) == BACK_OFFICE
    assert not {Role.customer, Role.merchant, *SERVICE} & set(BACK_OFFICE)
