"""Merchant figures summed over a period's months (the analysis asks each month apart, at once):
counts add up, the mean reply time is the total over all replies (not a mean of means), the
ranking is by complaints then merchant id."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from tickets_service.reports.service import merchant_figures


def row(merchant: str, complaints: int, replied: int, reply_seconds: float | None, met: int, stopped: int) -> Any:
    return SimpleNamespace(
        merchant_id=merchant, complaints=complaints, major=0, public_complaints=stopped, merchant_replied=replied,
        reply_seconds=reply_seconds, met=met, breaches=stopped - met, stopped=stopped,
    )  # fmt: skip


def test_months_add_up_and_rank() -> None:
    january = [row("M-B", 3, 1, 3600.0, 1, 2), row("M-A", 1, 0, None, 0, 0)]
    february = [row("M-A", 2, 3, 3 * 7200.0, 3, 3), row("M-C", 3, 0, None, 0, 1)]
    figures = {f.merchant_id: f for f in merchant_figures(january, february)}
    assert [(f.rank, f.merchant_id, f.complaints) for f in merchant_figures(january, february)] == [
        (1, "M-A", 3), (2, "M-B", 3), (3, "M-C", 3)
    ]  # fmt: skip
    assert figures["M-A"].avg_reply_hours == 2.0  # 3 replies of 2 h (January had none)
    assert figures["M-B"].on_time_percent == 50.0
    assert figures["M-C"].avg_reply_hours is None
    assert (figures["M-C"].on_time_percent, figures["M-C"].breaches) == (0.0, 1)
    assert merchant_figures() == []
