"""What the reports answer (JSON; each has a CSV form, one line per figure). Every figure that is
a ratio says its formula in ``formulas``."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from pydantic import BaseModel, Field

from aftersales_chassis import Page

FORMULAS: dict[str, str] = {
    "complaints": "complaints recorded in the period (received_at in the calendar's zone), merged duplicates "
    "left out (they are counted as `merged`)",
    "on_time_percent": "clocks of the step stopped on time (outcome met) ÷ clocks of the step stopped × 100; "
    "null when none stopped",
    "merchant.on_time_percent": "§4.4 clocks (merchant's public reply within 1 wd) of the merchant's forum and "
    "Weibo complaints received in the period, met ÷ stopped × 100",
    "merchant.avg_reply_hours": "mean of merchant_replied_at − received_at over the merchant's complaints "
    "received in the period that it replied to, in hours",
    "merchant.breaches": "§4.4 clocks of the merchant's complaints received in the period that breached",
    "merchant.rank": "1 = most complaints in the period; ties by merchant id",
    "clocks": "complaint clocks stopped in the period (in the calendar's zone), by step",
}


class Count(BaseModel):
    key: str | None = Field(description="The dimension's value; null: not given on the complaint.")
    complaints: int
    major: int


class StepClocks(BaseModel):
    step: str
    stopped: int
    met: int
    breached: int
    on_time_percent: float | None


class MerchantFigures(BaseModel):
    rank: int
    merchant_id: str
    complaints: int
    major: int
    public_complaints: int = Field(description="Forum and Weibo complaints (the merchant must reply, §4.4).")
    merchant_replied: int
    avg_reply_hours: float | None
    clocks_stopped: int
    on_time: int
    breaches: int
    on_time_percent: float | None


class MajorAlert(BaseModel):
    id: uuid.UUID
    received_at: datetime
    channel: str
    priority: str
    rule: str = Field(description="The priority rule that flagged it major, or `supervisor`.")
    merchant_id: str | None
    order_id: str | None
    category: str | None
    brand: str | None
    state: str
    owner: str | None
    subject: str


class Progress(BaseModel):
    """An unresolved complaint and how far it got."""

    id: uuid.UUID
    received_at: datetime
    age_hours: float = Field(description="From received_at to the report's time.")
    channel: str
    priority: str
    major: bool
    merchant_id: str | None
    order_id: str | None
    state: str
    owner: str | None
    first_replied_at: datetime | None
    merchant_replied_at: datetime | None
    last_activity_at: datetime
    breached_steps: list[str] = Field(description="The §4 clocks of this complaint that breached.")
    subject: str


class PeriodOut(BaseModel):
    period: str = Field(description="The period's label: 2026-11-24..2026-11-30, 2026-W48, 2026-11, 2026-Q4.")
    zone: str = Field(description="The business calendar's zone the buckets are taken in.")
    first_day: date
    last_day: date
    start_at: datetime = Field(description="The period's first instant (UTC), inclusive.")
    end_at: datetime = Field(description="The instant after the period (UTC), exclusive.")


class DailyRow(BaseModel):
    day: date
    received: int
    merged: int
    major: int
    closed: int
    by_channel: dict[str, int]
    by_priority: dict[str, int]
    breaches: dict[str, int] = Field(description="Complaint clocks that breached that day, by step.")


class DailyReport(PeriodOut):
    """每日客诉统计 (seed 000 售后服务流程, 所需文件): complaints received, merged, major and closed per
    local day, by channel and priority, and the day's breaches by step."""

    days: list[DailyRow]
    formulas: dict[str, str]


class MonthTotal(BaseModel):
    month: str
    complaints: int
    major: int


class Analysis(PeriodOut):
    """Monthly analysis (月投诉汇总分析, seed 001): totals by category, channel, brand and priority,
    the merchant ranking, major-complaint alerts, on-time % by step; the quarterly roll-up is the
    same over three months, with each month's totals."""

    complaints: int
    major: int
    by_category: list[Count]
    by_channel: list[Count]
    by_brand: list[Count]
    by_priority: list[Count]
    by_month: list[MonthTotal]
    merchants: list[MerchantFigures] = Field(description="The ranking's first `limit` merchants.")
    merchants_total: int
    major_alerts: list[MajorAlert] = Field(description="The period's first `limit` major complaints, oldest first.")
    major_alerts_total: int
    clocks: list[StepClocks] = Field(description="Complaint clocks stopped in the period, by step.")
    formulas: dict[str, str]


class Weekly(PeriodOut):
    """Weekly report (周投诉进度汇报, seed 001): major and unresolved complaints with their progress,
    and the merchants' cooperation (public replies: times, on-time %, breaches)."""

    complaints: int
    major: int
    closed: int
    major_complaints: list[MajorAlert] = Field(description="Major complaints received in the week (first `limit`).")
    major_complaints_total: int
    unresolved: Page[Progress] = Field(
        description="Complaints received by the week's end still neither closed nor merged, oldest first "
        "(`limit`, `cursor` page them)."
    )
    unresolved_total: int
    unresolved_major: int
    cooperation: list[MerchantFigures]
    clocks: list[StepClocks]
    formulas: dict[str, str]


class CaseCount(BaseModel):
    kind: str = Field(description="C short/wrong shipment, K courier, P quality (§3).")
    liability: str | None
    cases: int


class RefundTotal(BaseModel):
    liability: str | None
    currency: str
    refunds: int
    amount_minor: int


class StepBreaches(BaseModel):
    step: str
    breaches: int


class AnomalySummary(PeriodOut):
    """每月异常汇总 (seed 000 售后服务流程, 所需文件): the month's after-sale cases by kind and
    liability, the abnormal refunds approved (C3B2, the C4 table's lines) by liability, and every
    tickets clock that breached in the month, by step."""

    cases: list[CaseCount]
    abnormal_refunds: list[RefundTotal]
    breaches: list[StepBreaches]


class Cooperation(PeriodOut):
    """Merchants' cooperation in a week (the weekly report's part a merchant may see: its own)."""

    merchants: list[MerchantFigures]
    formulas: dict[str, str]
