"""The chart of accounts the platform books into (created by the migrations)."""

from __future__ import annotations

from enum import StrEnum

# Days and months are the business calendar's, in its zone (PROCESSES.md §10): read from
# the calendar the service runs on (business_calendar.py), never fixed here.


class AccountCode(StrEnum):
    cash = "cash"  # payment provider / bank (asset)
    customer_refunds_payable = "customer_refunds_payable"  # refunds owed to customers (liability)
    sales_returns = "sales_returns"  # contra-revenue for returned goods
    freight_refunds = "freight_refunds"  # freight the shop bears on returns (expense)
    goodwill_expense = "goodwill_expense"  # goodwill, Z4/Z5 remedies (expense)
    sales_allowances = "sales_allowances"  # C3B discounts on kept goods (contra-revenue)
    courier_receivables = "courier_receivables"  # K2: the courier owes the cost (asset)
    courier_recoveries = "courier_recoveries"  # K2: what the courier's liability recovers (revenue)
    freight_advanced = "freight_advanced"  # P2B1: freight advanced on quality returns (expense)
    merchant_payables = "merchant_payables"  # owed to marketplace merchants (liability)
    cancellation_float = "cancellation_float"  # 7.3: deposits refunded before the merchant repays (asset)
    exchange_differences = "exchange_differences"  # T3: value differences on exchanges (revenue)
    customer_receivables = "customer_receivables"  # owed by customers (asset)
    sales = "sales"  # the shop's own orders (revenue)


class Table(StrEnum):
    """The monthly tables of PROCESSES.md §8 a booked line belongs to (details.table)."""

    abnormal_refunds = "abnormal_refunds"  # C4/C5
    return_refunds = "return_refunds"  # T4/T5
