"""The marketplace port: what reviews sends to a marketplace (E2 reports, W3 amendment
requests) and what it reads from one (its published amendment rule). Reviews come in the other
way, through the intake endpoint a marketplace gateway posts to.

``fake`` stands in for the marketplaces here (deterministic, sends nothing); a real adapter is
added to ADAPTERS and named by ``REVIEWS_MARKETPLACE_ADAPTER``. The fake is refused at start-up
outside dev and test, as the returns service refuses its fake payment gateway."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol


@dataclass(frozen=True)
class AmendPolicy:
    """Whether a marketplace lets a shop ask a reviewer to amend (W3), how many times per review,
    and within how many days of the review."""

    allowed: bool
    max_requests: int
    window_days: int


@dataclass(frozen=True)
class ReportRequest:
    """E2: a malicious review reported to the marketplace, with its reason and evidence keys."""

    report_id: str
    marketplace: str
    review_id: str
    reason: str
    evidence_keys: tuple[str, ...]


class MarketplacePort(Protocol):
    def marketplaces(self) -> dict[str, AmendPolicy]:
        """Every marketplace the adapter serves, with its published amendment rule."""
        ...

    async def report_review(self, request: ReportRequest) -> str:
        """Files the report (idempotent by report id); the marketplace's reference."""
        ...

    async def request_amendment(self, marketplace: str, review_id: str, request_no: int) -> None:
        """W3 through the marketplace's own invitation to edit, where it has one."""
        ...


# Taobao and Tmall let a shop ask once within 30 days (PROCESSES.md §10); JD and Douyin do not.
PUBLISHED_RULES = {
    "taobao": AmendPolicy(allowed=True, max_requests=1, window_days=30),
    "tmall": AmendPolicy(allowed=True, max_requests=1, window_days=30),
    "jd": AmendPolicy(allowed=False, max_requests=0, window_days=0),
    "douyin": AmendPolicy(allowed=False, max_requests=0, window_days=0),
}


class FakeMarketplaces:
    """Deterministic: a report's reference is derived from its id; amendment requests are kept
    in memory (tests read them)."""

    def __init__(self) -> None:
        self.reports: dict[str, ReportRequest] = {}
        self.amendment_requests: list[tuple[str, str, int]] = []

    def marketplaces(self) -> dict[str, AmendPolicy]:
        return dict(PUBLISHED_RULES)

    async def report_review(self, request: ReportRequest) -> str:
        self.reports[request.report_id] = request
        return f"{request.marketplace}-appeal-{hashlib.sha256(request.report_id.encode()).hexdigest()[:12]}"

    async def request_amendment(self, marketplace: str, review_id: str, request_no: int) -> None:
        self.amendment_requests.append((marketplace, review_id, request_no))


ADAPTERS: dict[str, Callable[[], MarketplacePort]] = {"fake": FakeMarketplaces}
TEST_DOUBLES = frozenset({"fake"})
SAFE_FOR_TEST_DOUBLES = frozenset({"dev", "test"})


class MarketplaceAdapterRefused(ValueError):
    """The configured adapter must not run where the service runs."""


def refuse_unsafe_adapter(adapter: str, environment: str, *, prefix: str = "REVIEWS_") -> None:
    if adapter not in ADAPTERS:
        raise MarketplaceAdapterRefused(
            f"{prefix}MARKETPLACE_ADAPTER={adapter} is not a marketplace adapter; known: {', '.join(sorted(ADAPTERS))}"
        )
    if adapter in TEST_DOUBLES and environment not in SAFE_FOR_TEST_DOUBLES:
        raise MarketplaceAdapterRefused(
            f"{prefix}MARKETPLACE_ADAPTER={adapter} reports nothing to any marketplace and is refused when "
            f"{prefix}ENVIRONMENT={environment}: it runs only where {prefix}ENVIRONMENT is "
            f"{' or '.join(sorted(SAFE_FOR_TEST_DOUBLES))}. Add a real adapter to ADAPTERS in "
            "reviews_service/marketplaces/port.py and name it."
        )


class MarketplaceExtension:
    """Puts the adapter the settings name on the app (``app.state.marketplaces``)."""

    def routers(self) -> list[Any]:
        return []

    async def start(self, app: Any) -> None:
        settings = app.state.settings
        refuse_unsafe_adapter(settings.marketplace_adapter, settings.environment)
        app.state.marketplaces = ADAPTERS[settings.marketplace_adapter]()

    async def stop(self, app: Any) -> None:
        return None
