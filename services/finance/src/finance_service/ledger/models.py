"""The ledger's tables: accounts, transactions, postings, daily balances. Balance,
immutability and currency rules are enforced by the database itself (see the migrations'
triggers), not only here."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Identity,
    Index,
    String,
    Text,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..db import Base


class Account(Base):
    __tablename__ = "accounts"
    __table_args__ = (
        CheckConstraint("type IN ('asset', 'liability', 'equity', 'revenue', 'expense')", name="type_known"),
        CheckConstraint(
            "(min_balance_minor IS NULL OR balance_minor >= min_balance_minor)"
            " AND (max_balance_minor IS NULL OR balance_minor <= max_balance_minor)",
            name="within_limits",
        ),
        CheckConstraint("keyed_by IN ('merchant')", name="keyed_by_known"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(Text)
    type: Mapped[str] = mapped_column(String(16))
    currency: Mapped[str] = mapped_column(String(3))
    # Maintained by a trigger on postings: sum of the account's postings (debit +, credit −).
    balance_minor: Mapped[int] = mapped_column(BigInteger, default=0)
    # Optional limits on the signed balance (CHECK ck_accounts_within_limits): the posting
    # trigger's row update is what checks them, so concurrent postings cannot overdraw.
    min_balance_minor: Mapped[int | None] = mapped_column(BigInteger)
    max_balance_minor: Mapped[int | None] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    # 'merchant': a control account with a sub-ledger per merchant and order (merchant_payables):
    # every posting to it names its merchant (finance_0012).
    keyed_by: Mapped[str | None] = mapped_column(String(16))


class LedgerTransaction(Base):
    __tablename__ = "ledger_transactions"
    __table_args__ = (
        Index("ix_ledger_transactions_booked_at", "booked_at", "id"),
        Index("ix_ledger_transactions_accounting_date", "accounting_date"),
        # A transaction is reversed at most once.
        Index(
            "uq_ledger_transactions_reverses_id",
            "reverses_id",
            unique=True,
            postgresql_where=text("reverses_id IS NOT NULL"),
        ),
        Index("ix_ledger_transactions_details_table", text("(details->>'table')")),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    # What caused it (e.g. the event id): unique, so a redelivered event books once.
    source: Mapped[str] = mapped_column(Text, unique=True)
    description: Mapped[str] = mapped_column(Text)
    currency: Mapped[str] = mapped_column(String(3))
    effective_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    booked_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    # The day it counts in (business zone). Equals effective_at's day unless that month was
    # closed: then the first day of the next open month (details.belongs_to keeps the day).
    accounting_date: Mapped[date] = mapped_column(Date)
    reverses_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("ledger_transactions.id"))
    details: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict)

    # No foreign keys on postings (finance_0007): the database checks both references once
    # per statement instead, so the join is spelled out.
    postings: Mapped[list[Posting]] = relationship(
        lazy="raise",
        order_by="Posting.id",
        primaryjoin="LedgerTransaction.id == foreign(Posting.transaction_id)",
    )


class Posting(Base):
    __tablename__ = "postings"
    __table_args__ = (
        CheckConstraint("amount_minor <> 0", name="amount_not_zero"),
        Index("ix_postings_merchant_id", "merchant_id", "id", postgresql_where=text("merchant_id IS NOT NULL")),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(always=True), primary_key=True)
    # References checked by the postings trigger per statement, not by foreign keys (finance_0007).
    transaction_id: Mapped[uuid.UUID] = mapped_column(index=True)
    account_id: Mapped[uuid.UUID] = mapped_column(index=True)
    # Debit positive, credit negative: a transaction's postings sum to zero.
    amount_minor: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))
    # On a merchant-keyed account (and only there): whose payable it moves, and for which order.
    merchant_id: Mapped[str | None] = mapped_column(Text)
    order_id: Mapped[str | None] = mapped_column(Text)


class MerchantBalance(Base):
    """The sub-ledger of a merchant-keyed account, per merchant and order ('' for the merchant
    as a whole), maintained by the posting trigger: it sums to the account's balance."""

    __tablename__ = "merchant_balances"

    account_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("accounts.id"), primary_key=True)
    merchant_id: Mapped[str] = mapped_column(Text, primary_key=True)
    order_id: Mapped[str] = mapped_column(Text, primary_key=True, server_default="")
    balance_minor: Mapped[int] = mapped_column(BigInteger, server_default=text("0"))


class AccountDailyBalance(Base):
    """Per account and accounting day, maintained by the posting trigger: a balance as of a
    date sums at most one row per day, never the postings."""

    __tablename__ = "account_daily_balances"

    account_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("accounts.id"), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    debit_minor: Mapped[int] = mapped_column(BigInteger, default=0)
    credit_minor: Mapped[int] = mapped_column(BigInteger, default=0)
