"""Generated requests against every operation of the five running services: none answers 5xx.

Schemathesis reads each service's OpenAPI document and generates requests for every operation,
both ones that fit the schema (positive) and ones that break it (negative). Bad input must be
a 4xx problem, never a 500 ("bad input gets a clear error and loses nothing"). The token holds
every role, so requests get past the role checks into validation and the use cases.

Hypothesis runs derandomized: the same requests every run, so a failure reproduces. It found
the monthly report's 500 for year 0000; the same kind of fault elsewhere (dates near year 1
or 9999, amounts beyond bigint) was then found by hand and is tested where it was fixed.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode

from aftersales_chassis import Role
from aftersales_chassis.testing import Tokens
from aftersales_devstack.services import ServiceProcess
from aftersales_devstack.urls import SERVICE_NAMES

EXAMPLES = 15  # per operation and mode; derandomized, so the same requests every run


@pytest.fixture(scope="module")
def http() -> Iterator[requests.Session]:
    with requests.Session() as session:
        yield session


def _server_errors(
    process: ServiceProcess, headers: dict[str, str], http: requests.Session, mode: GenerationMode
) -> list[str]:
    schema = schemathesis.openapi.from_url(f"{process.url}/openapi.json")
    found: list[str] = []
    for result in schema.get_all_operations():
        operation = result.ok()

        @settings(
            max_examples=EXAMPLES,
            derandomize=True,
            database=None,
            deadline=None,
            suppress_health_check=list(HealthCheck),
        )
        @given(case=operation.as_strategy(generation_mode=mode))
        def answers_without_a_server_error(case: schemathesis.Case) -> None:
            response = case.call(base_url=process.url, session=http, headers=headers)
            assert response.status_code < 500, f"{response.status_code} {response.text[:300]}"

        try:
            answers_without_a_server_error()
        except AssertionError as error:
            found.append(f"{process.name} {operation.method.upper()} {operation.path} ({mode.value}): {error}")
        except Unsatisfiable:
            assert mode is GenerationMode.NEGATIVE  # an operation without inputs has none to break
    return found


@pytest.mark.parametrize("name", SERVICE_NAMES)
@pytest.mark.parametrize("mode", list(GenerationMode), ids=lambda mode: mode.value)
def test_no_operation_answers_a_server_error(
    fuzzed_stack: dict[str, ServiceProcess], jwt_secret: str, http: requests.Session, name: str, mode: GenerationMode
) -> None:
    headers = Tokens(jwt_secret).headers(*Role, subject="fuzz", scopes=["refund:approve"], merchant_id="m-fuzz")
    assert not _server_errors(fuzzed_stack[name], headers, http, mode)
