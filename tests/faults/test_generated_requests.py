"""Issue 23, scenario 7: generated requests against the five running services (ADR 0014).

Schemathesis reads each service's OpenAPI document and generates requests for every
operation, ones that fit the schema (positive) and ones that break it (negative), then runs
**stateful** sequences along the OpenAPI links the chassis declares (``add_links``): a
created return's id feeds its approval, the approval's answer its receipt, and so on, so
that deep operations see real resources instead of answering 404 to a random id.

Every answer is checked: no 5xx; the status is one the operation declares; the content
type and the body fit what the document says for that status. Bad input must be a 4xx
problem, never a 500, and a client generated from the documents must be able to trust them.

Failures are collected, not raised, so hypothesis explores instead of shrinking over HTTP;
each distinct failure is reported once. Seeded: the same requests every run.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, given, seed, settings
from hypothesis.errors import FlakyStrategyDefinition, Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from aftersales_chassis import Role
from aftersales_chassis.testing import Tokens
from aftersales_devstack.services import ServiceProcess
from aftersales_devstack.urls import SERVICE_NAMES

from .figures import Figure, record, size

pytest_plugins = ("tests.faults.generated_support",)

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
EXAMPLES = size(3, 40)
"""Per operation and generation mode (ADR 0014 ran 15 in one mode pair; the stateful runs now add depth)."""
SCENARIOS = size(6, 120)
"""Stateful sequences per service."""
CHUNK = 10
"""Stateful sequences per Hypothesis run (see :func:`_stateful`)."""
STEPS = size(8, 30)
"""Steps per stateful sequence at most."""


class Tally:
    def __init__(self) -> None:
        self.sent = 0
        self.refused = 0
        self.server_errors = 0
        self.failures: dict[str, str] = {}
        """One line per distinct failure (operation and the check's title)."""
        self.operations: set[str] = set()
        self.stateful_runs = 0
        self.stateful_runs_cut = 0
        """Runs Hypothesis stopped early: the server's state is external to it (see _stateful)."""
        self.deep: set[str] = set()
        """Operations with a path parameter that answered 2xx: reached with a real resource."""

    def check(self, case: schemathesis.Case, response: requests.Response | Any, service: str) -> None:
        self.sent += 1
        status = response.status_code
        label = f"{service} {case.operation.method.upper()} {case.operation.path}"
        self.operations.add(label)
        if 400 <= status < 500:
            self.refused += 1
        if status >= 500:
            self.server_errors += 1
        if status < 300 and "{" in case.operation.path:
            self.deep.add(label)
        try:
            case.validate_response(response, checks=CHECKS)
        except (Exception, BaseExceptionGroup) as failure:  # a Failure, or a FailureGroup: collected, not raised
            title = str(failure).strip().splitlines()
            key = f"{label}: {title[0] if title else type(failure).__name__}"
            if key not in self.failures:
                body = getattr(response, "text", "")[:300]
                self.failures[key] = f"{key} [{status}] {' / '.join(title[1:6])} :: {body}"


@pytest.fixture(scope="module")
def tally() -> Tally:
    return Tally()


@pytest.fixture(scope="module")
def headers(jwt_secret: str) -> dict[str, str]:
    """Every role, so that requests get past the role checks (scenario 8 tests those)."""
    return Tokens(jwt_secret).headers(*Role, subject="fuzz", scopes=["refund:approve"], merchant_id="m-fuzz")


def _stateless(
    process: ServiceProcess, headers: dict[str, str], http: requests.Session, mode: GenerationMode, tally: Tally
) -> None:
    schema = schemathesis.openapi.from_url(f"{process.url}/openapi.json")
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
        def answers_as_documented(case: schemathesis.Case) -> None:
            response = case.call(base_url=process.url, session=http, headers=headers)
            tally.check(case, response, process.name)

        try:
            answers_as_documented()
        except Unsatisfiable:
            assert mode is GenerationMode.NEGATIVE  # an operation without inputs has none to break


def _stateful(process: ServiceProcess, headers: dict[str, str], http: requests.Session, tally: Tally) -> None:
    """SCENARIOS sequences in runs of CHUNK, each a Hypothesis run of its own with its own seed.

    Hypothesis keeps a tree of the choices each sequence made and, when a later sequence
    retraces a prefix, expects the same choices. Against a live server the state is
    external: a list that answered empty now answers with what an earlier sequence made, a
    bundle fills that was empty, and Hypothesis stops with ``FlakyStrategyDefinition``. That
    is no finding about the service (its answers are checked one by one above); the run is
    cut short there, counted, and the next seed goes on. Short runs keep a cut from costing
    more than its own chunk."""
    schema = schemathesis.openapi.from_url(f"{process.url}/openapi.json")
    base: Callable[[], type] = schema.as_state_machine
    for chunk in range(max(1, SCENARIOS // CHUNK)):

        @seed(chunk)
        class Workflow(base()):  # type: ignore[misc]
            def get_call_kwargs(self, case: schemathesis.Case) -> dict[str, Any]:
                return {"base_url": process.url, "session": http, "headers": headers}

            def validate_response(self, response: Any, case: schemathesis.Case, *_: Any, **__: Any) -> None:
                tally.check(case, response, process.name)

        tally.stateful_runs += 1
        try:
            Workflow.run(
                settings=settings(
                    max_examples=min(CHUNK, SCENARIOS),
                    stateful_step_count=STEPS,
                    derandomize=False,  # the seed decides: the same requests every run
                    database=None,
                    deadline=None,
                    suppress_health_check=list(HealthCheck),
                )
            )
        except FlakyStrategyDefinition:
            tally.stateful_runs_cut += 1


@pytest.mark.parametrize("name", SERVICE_NAMES)
def test_generated_requests_answer_as_documented(
    generated_stack: dict[str, ServiceProcess],
    headers: dict[str, str],
    http: requests.Session,
    tally: Tally,
    name: str,
) -> None:
    before = len(tally.failures)
    for mode in GenerationMode:
        _stateless(generated_stack[name], headers, http, mode, tally)
    _stateful(generated_stack[name], headers, http, tally)
    found = list(tally.failures.values())[before:]
    assert not found, "\n".join(found)


def test_figure(tally: Tally, documents: dict[str, dict[str, Any]]) -> None:
    """The scenario's one line, after the five services ran (whatever they found)."""
    assert tally.sent, "the generated runs above sent nothing"
    links = sum(
        len(answer.get("links") or {})
        for document in documents.values()
        for item in document["paths"].values()
        for operation in item.values()
        if isinstance(operation, dict)
        for answer in (operation.get("responses") or {}).values()
    )
    record(
        Figure(
            "7 generated requests",
            f"schemathesis positive+negative ({EXAMPLES}/operation/mode) and {SCENARIOS} stateful "
            f"sequences of up to {STEPS} steps per service along {links} OpenAPI links, 5 services",
            sent=tally.sent,
            refused=tally.refused,
            errored=len(tally.failures),
            extra={
                "server_errors": tally.server_errors,
                "operations": len(tally.operations),
                "deep_operations_2xx": len(tally.deep),
                "stateful_runs_cut_short": f"{tally.stateful_runs_cut}/{tally.stateful_runs}",
            },
        )
    )
    assert not tally.failures, "\n".join(tally.failures.values())
