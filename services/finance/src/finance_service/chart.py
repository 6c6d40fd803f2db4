"""The chart of accounts the platform books into (created by the migrations)."""

from __future__ import annotations

from enum import StrEnum


class AccountCode(StrEnum):
    cash = "cash"  # payment provider / bank (asset)
    customer_refunds_payable = "customer_refunds_payable"  # refunds owed to customers (liability)
    sales_returns = "sales_returns"  # contra-revenue for returned goods
    freight_refunds = "freight_refunds"  # freight the shop bears on returns (expense)
