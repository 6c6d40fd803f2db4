"""The dashboards and alerts, checked by a real Prometheus scraping the five running services.

promtool checks the configuration and the rules and runs their unit tests; then Prometheus
scrapes the five services (returns, finance, tickets, reviews, callcenter as processes on the
real broker and PostgreSQL) while a small workload runs (a return filed, approved, received,
refunded and booked by finance; scans; a report; a complaint; refused requests), and every dashboard
panel's query must return series and every alert expression must parse and evaluate. A panel
on a metric no service exports fails, unless the metric is in deploy/dashboards.py's
PENDING_METRICS, whose service has not built it yet: those panels skip, naming the metric
(none today: every panel reads an exported metric).

Needs the `prometheus` and `promtool` binaries (Debian's `prometheus` package, which .ci/run
installs in CI); skipped with that reason where they are absent.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

from aftersales_chassis import Role
from aftersales_chassis.testing import Tokens, eventually
from aftersales_devstack._proc import free_port, spawn, stop, wait_until
from aftersales_devstack.pytest_plugin import ServiceDatabaseFactory
from aftersales_devstack.services import ServiceProcess

from ..conftest import _five_services
from .kit import DEPLOY, deploy_module

PROMETHEUS, PROMTOOL = shutil.which("prometheus"), shutil.which("promtool")
pytestmark = pytest.mark.skipif(
    PROMETHEUS is None or PROMTOOL is None,
    reason="the prometheus and promtool binaries are not installed (apt-get install prometheus; CI installs them)",
)
RULES = DEPLOY / "prometheus" / "rules" / "aftersales.yml"
dashboards = deploy_module("dashboards")
PANELS = [panel for _, row in dashboards.ROWS for panel in row]
ALERTS = [rule for group in yaml.safe_load(RULES.read_text())["groups"] for rule in group["rules"]]

# What a PromQL expression names that is not a metric.
_KEYWORDS = {"by", "without", "on", "ignoring", "group_left", "group_right", "and", "or", "unless", "bool", "offset"}


def metric_names(expr: str) -> set[str]:
    """The metric names an expression reads: labels in braces and grouping lists, strings,
    durations, numbers, functions (a name before ``(``) and keywords removed."""
    text = re.sub(r'"[^"]*"', "", expr)
    text = re.sub(r"\{[^}]*\}", " ", text)
    text = re.sub(r"\[[^\]]*\]", " ", text)
    text = re.sub(r"\b(by|without|on|ignoring)\s*\([^)]*\)", " ", text)
    names = set()
    for match in re.finditer(r"\b([a-zA-Z_:][a-zA-Z0-9_:]*)\b(\s*\()?", text):
        if match.group(2) or match.group(1) in _KEYWORDS:
            continue
        names.add(match.group(1))
    return names


def test_metric_names_are_read_from_expressions() -> None:
    expr = 'histogram_quantile(0.95, sum by (service, le) (rate(http_request_duration_seconds_bucket{a="b"}[5m])))'
    assert metric_names(expr) == {"http_request_duration_seconds_bucket"}
    assert metric_names("sum(x_total) / sum(y) or 0 * up") == {"x_total", "y", "up"}


def unexported(
    queries: tuple[str, ...], exported: set[str], pending: dict[str, tuple[str, str, str, str]] | None = None
) -> tuple[str, str] | None:
    """None when every metric the queries read is exported; ("pending", why) when the missing
    ones all belong to a service that has not built them (``pending``, by default
    PENDING_METRICS); ("missing", why) otherwise: a panel on a metric nobody exports."""
    pending = dashboards.PENDING_METRICS if pending is None else pending
    missing = sorted(set().union(*(metric_names(expr) for expr in queries)) - exported)
    if not missing:
        return None
    if all(name in pending for name in missing):
        owners = sorted({pending[name][0] for name in missing})
        return "pending", f"{', '.join(missing)} not exported yet by {', '.join(owners)} (deploy/METRICS.md)"
    return "missing", f"no service exports {', '.join(missing)}"


def test_no_panel_waits_on_a_metric_still_to_be_exported() -> None:
    """Every metric the panels read is built (issue 22): nothing left pending to skip on."""
    assert dashboards.PENDING_METRICS == {}
    assert "Still to be exported" not in (DEPLOY / "METRICS.md").read_text()


def test_a_panel_on_a_metric_nobody_exports_fails() -> None:
    exported = {"http_requests_total", "sla_open_clocks"}
    assert unexported(("sum(rate(http_requests_total[5m]))",), exported) is None
    assert unexported(("sum(rate(http_request_totals[5m]))",), exported) == (
        "missing",
        "no service exports http_request_totals",
    )
    planned = {"callcenter_planned_depth": ("callcenter", "gauge", "priority", "a metric planned for a panel")}
    verdict = unexported(("sum(callcenter_planned_depth)",), exported, planned)
    assert verdict == ("pending", "callcenter_planned_depth not exported yet by callcenter (deploy/METRICS.md)")
    # once the metric is no longer pending, a panel on it fails like any other
    gone = unexported(("sum(callcenter_planned_depth)",), exported, {})
    assert gone is not None
    assert gone[0] == "missing"
    # a pending metric beside a misspelt one is still a failure
    mixed = unexported(("sum(callcenter_planned_depth) + sum(sla_open_clock)",), exported, planned)
    assert mixed is not None
    assert mixed[0] == "missing"


def _promtool(*args: str, cwd: Path | None = None) -> str:
    assert PROMTOOL is not None
    done = subprocess.run([PROMTOOL, *args], capture_output=True, text=True, cwd=cwd)
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def test_promtool_accepts_the_config_and_the_rules() -> None:
    _promtool("check", "config", str(DEPLOY / "prometheus" / "prometheus.yml"))
    assert f"SUCCESS: {len(ALERTS)} rules found" in _promtool("check", "rules", str(RULES))


def test_each_alert_fires_on_its_unit_test_series() -> None:
    """rules-tests.yml: every alert fires on the series meant to raise it (and the call-loss
    alert stays quiet at 25%, the limit itself); a changed threshold or expression fails here."""
    tested = set(re.findall(r"alertname: (\w+)", (DEPLOY / "prometheus" / "rules-tests.yml").read_text()))
    assert tested == {rule["alert"] for rule in ALERTS}
    _promtool("test", "rules", "rules-tests.yml", cwd=DEPLOY / "prometheus")


@pytest.fixture(scope="module")
def services(
    service_database_url: ServiceDatabaseFactory, kafka_bootstrap: str, jwt_secret: str, test_run_id: str
) -> Iterator[dict[str, ServiceProcess]]:
    with _five_services(service_database_url, kafka_bootstrap, jwt_secret, "obs", test_run_id) as processes:
        yield processes


@pytest.fixture(scope="module")
def prometheus(services: dict[str, ServiceProcess]) -> Iterator[str]:
    """A Prometheus on a free port scraping the five services every second, with the rules."""
    assert PROMETHEUS is not None
    port = free_port()
    with tempfile.TemporaryDirectory(prefix="aftersales-prometheus-") as tmp:
        config = {
            "global": {"scrape_interval": "1s", "evaluation_interval": "1s"},
            "rule_files": [str(RULES)],
            "scrape_configs": [
                {
                    "job_name": "aftersales",
                    "static_configs": [
                        {"targets": [process.url.removeprefix("http://")], "labels": {"app": name}}
                        for name, process in services.items()
                    ],
                }
            ],
        }
        (Path(tmp) / "prometheus.yml").write_text(yaml.safe_dump(config))
        _promtool("check", "config", str(Path(tmp) / "prometheus.yml"))
        log = (Path(tmp) / "prometheus.log").open("wb")
        process = spawn(
            [
                PROMETHEUS,
                f"--config.file={tmp}/prometheus.yml",
                f"--storage.tsdb.path={tmp}/data",
                f"--web.listen-address=127.0.0.1:{port}",
            ],
            stdout=log,
            stderr=log,
        )
        url = f"http://127.0.0.1:{port}"
        try:
            # Ready before the first query: on a quiet machine the workload's first query
            # came before Prometheus listened (a connection refused is no "not yet").
            wait_until(lambda: _ready(url), timeout=60, what="prometheus", alive=lambda: process.poll() is None)
            yield url
        finally:
            stop(process, name="prometheus")
            log.close()


def _ready(url: str) -> bool:
    try:
        return httpx.get(f"{url}/-/ready", timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


async def _query(http: httpx.AsyncClient, prometheus: str, expr: str) -> list[dict[str, Any]]:
    response = await http.get(f"{prometheus}/api/v1/query", params={"query": expr})
    body = response.json()
    assert response.status_code == 200, (expr, body)
    assert body["status"] == "success", (expr, body)
    result: list[dict[str, Any]] = body["data"]["result"]
    return result


async def _workload(services: dict[str, ServiceProcess], tokens: Tokens) -> None:
    """A return filed, approved (T1A3 stops on time), received and refunded (finance books it),
    a scan batch, the return-rate report, a complaint handed over by a channel gateway (the
    complaints panel), and requests refused (401, 404)."""
    returns, finance, tickets = services["returns"].url, services["finance"].url, services["tickets"].url
    async with httpx.AsyncClient(timeout=10) as http:
        order = "TB-OBS-1"
        facts = [
            {"kind": "placed", "shop_event_id": f"{order}-placed", "order_id": order, "customer_id": "C-9",
             "occurred_at": datetime.now(UTC).isoformat(), "merchant_id": "M-001",
             "lines": [{"sku": "SKU-OBS", "quantity": 2, "unit_price_minor": 5000}]},
            {"kind": "paid", "shop_event_id": f"{order}-paid", "order_id": order, "paid_minor": 10000,
             "occurred_at": datetime.now(UTC).isoformat()},
            {"kind": "shipped", "shop_event_id": f"{order}-shipped", "order_id": order, "courier": "SF",
             "tracking_number": "SFOBS1", "occurred_at": datetime.now(UTC).isoformat()},
        ]  # fmt: skip
        for fact in facts:
            taken = await http.post(f"{returns}/order-facts", json=fact, headers=tokens.headers(Role.service))
            assert taken.status_code == 200, taken.text
        created = await http.post(
            f"{returns}/returns",
            json={"order_id": order, "reason": "damaged", "requested_refund_minor": 10000,
                  "lines": [{"sku": "SKU-OBS", "quantity": 2, "reason": "damaged_in_transit"}]},
            headers=tokens.headers(Role.agent),
        )  # fmt: skip
        assert created.status_code == 201, created.text
        rid = created.json()["id"]
        for action, role, body in [
            ("approve", Role.supervisor, {}),
            ("receipt", Role.warehouse, {}),
            ("refund", Role.supervisor, {"amount_minor": 10000}),
        ]:
            response = await http.post(f"{returns}/returns/{rid}/{action}", json=body, headers=tokens.headers(role))
            assert response.status_code == 200, (action, response.text)
        scan = {"scan_id": "obs-1", "kind": "arrived", "scanned_at": datetime.now(UTC).isoformat(),
                "tracking_number": "ZTOOBS0001"}  # fmt: skip
        scanned = await http.post(f"{returns}/parcels/scans:batch", json=[scan], headers=tokens.headers(Role.warehouse))
        assert scanned.status_code == 200, scanned.text
        month = datetime.now(UTC).strftime("%Y-%m")
        for by in ("product", "reason"):
            rate = await http.get(
                f"{returns}/reports/returns/rate", params={"month": month, "by": by}, headers=tokens.headers(Role.agent)
            )
            assert rate.status_code == 200, rate.text
        complaint = {"channel": "wechat", "channel_message_id": "obs-wx-1",
                     "received_at": datetime.now(UTC).isoformat(),
                     "sender": {"handle": "wx-openid-obs", "name": "王女士"}, "subject": "包装破损",
                     "body": "收到的茶叶包装破了。", "order_id": order}  # fmt: skip
        recorded = await http.post(f"{tickets}/complaints/intake", json=complaint,
                                   headers=tokens.headers(Role.service, subject="gw-wechat"))  # fmt: skip
        assert recorded.status_code == 201, recorded.text
        assert (await http.get(f"{returns}/returns")).status_code == 401
        missing = await http.get(f"{finance}/settlements/00000000-0000-0000-0000-000000000000",
                                 headers=tokens.headers(Role.finance))  # fmt: skip
        assert missing.status_code in (404, 422)


@pytest.fixture(scope="module")
async def scraped(prometheus: str, services: dict[str, ServiceProcess], jwt_secret: str) -> dict[str, Any]:
    """Prometheus once it scrapes every service and the workload has run: what it knows."""
    async with httpx.AsyncClient(timeout=10) as http:

        async def all_up() -> bool:
            up = await _query(http, prometheus, 'up{job="aftersales"} == 1')
            return {series["metric"]["app"] for series in up} == set(services)

        await eventually(all_up, timeout=60, message="Prometheus scraping all five services")
        await _workload(services, Tokens(jwt_secret))

        async def booked() -> bool:
            return bool(
                await _query(http, prometheus, 'events_consumed_total{service="finance",outcome="applied"} > 0')
            )

        await eventually(booked, timeout=60, message="finance's applied events scraped")
        names = (await http.get(f"{prometheus}/api/v1/label/__name__/values")).json()["data"]
        metadata = (await http.get(f"{prometheus}/api/v1/metadata")).json()["data"]
    # Exported: a series scraped, or a family declared (HELP/TYPE) with no sample yet.
    exported = set(names) | set(metadata)
    exported |= {f"{family}{suffix}" for family in metadata for suffix in ("_bucket", "_count", "_sum", "_total")}
    return {"exported": exported}


@pytest.mark.parametrize("panel", PANELS, ids=[panel.title for panel in PANELS])
async def test_every_panel_query_returns_series(prometheus: str, scraped: dict[str, Any], panel: Any) -> None:
    verdict = unexported(panel.queries, scraped["exported"])
    if verdict is not None and verdict[0] == "pending":
        pytest.skip(verdict[1])
    assert verdict is None, verdict
    async with httpx.AsyncClient(timeout=10) as http:
        for expr in panel.queries:
            # Gauges refreshed on a period (SLA clocks: every 2 s under test) and rates need two scrapes.
            await eventually(lambda e=expr: _query(http, prometheus, e), timeout=75, interval=1,
                             message=f"{panel.title}: {expr} returned no series")  # fmt: skip


@pytest.mark.parametrize("rule", ALERTS, ids=[rule["alert"] for rule in ALERTS])
async def test_every_alert_expression_evaluates(prometheus: str, scraped: dict[str, Any], rule: dict[str, Any]) -> None:
    """Each expression parses and evaluates on live data, and Prometheus's own evaluation of the
    loaded rule reports no error."""
    async with httpx.AsyncClient(timeout=10) as http:
        await _query(http, prometheus, rule["expr"])

        async def evaluated() -> dict[str, Any]:
            groups = (await http.get(f"{prometheus}/api/v1/rules")).json()["data"]["groups"]
            [loaded] = [r for g in groups for r in g["rules"] if r["name"] == rule["alert"]]
            assert loaded["health"] == "ok", loaded
            return dict(loaded)

        loaded = await eventually(evaluated, timeout=30, message=f"{rule['alert']} evaluated without error")
        assert loaded["query"]
