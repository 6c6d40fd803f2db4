"""The ledger's tables. Balance, immutability and currency rules are enforced by the
database itself (see the migration's triggers), not only here."""

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
    MetaData,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from aftersales_events import NAMING_CONVENTION


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class Account(Base):
    __tablename__ = "accounts"
    __table_args__ = (
        CheckConstraint("type IN ('asset', 'liability', 'equity', 'revenue', 'expense')", name="type_known"),
        CheckConstraint(
            "(min_balance_minor IS NULL OR balance_minor >= min_balance_minor)"
            " AND (max_balance_minor IS NULL OR balance_minor <= max_balance_minor)",
            name="within_limits",
        ),
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
    __table_args__ = (CheckConstraint("amount_minor <> 0", name="amount_not_zero"),)

    id: Mapped[int] = mapped_column(BigInteger, Identity(always=True), primary_key=True)
    # References checked by the postings trigger per statement, not by foreign keys (finance_0007).
    transaction_id: Mapped[uuid.UUID] = mapped_column(index=True)
    account_id: Mapped[uuid.UUID] = mapped_column(index=True)
    # Debit positive, credit negative: a transaction's postings sum to zero.
    amount_minor: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))


class AccountDailyBalance(Base):
    """Per account and accounting day, maintained by the posting trigger: a balance as of a
    date sums at most one row per day, never the postings."""

    __tablename__ = "account_daily_balances"

    account_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("accounts.id"), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    debit_minor: Mapped[int] = mapped_column(BigInteger, default=0)
    credit_minor: Mapped[int] = mapped_column(BigInteger, default=0)


class LedgerPeriod(Base):
    """A month (first day, business zone). A closed month refuses postings (trigger)."""

    __tablename__ = "ledger_periods"
    __table_args__ = (
        CheckConstraint("extract(day FROM month) = 1", name="first_of_month"),
        CheckConstraint("status IN ('open', 'closed')", name="status_known"),
    )

    month: Mapped[date] = mapped_column(Date, primary_key=True)
    status: Mapped[str] = mapped_column(String(8), default="open")
    closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    closed_by: Mapped[str | None] = mapped_column(Text)
    report: Mapped[dict[str, Any] | None] = mapped_column(JSONB)


class LineCheck(Base):
    """Finance checked a line of a monthly table (C5, T5): the line is reconciled."""

    __tablename__ = "line_checks"

    transaction_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("ledger_transactions.id"), primary_key=True)
    checked_by: Mapped[str] = mapped_column(Text)
    checked_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    note: Mapped[str | None] = mapped_column(Text)


# ---- Merchant settlement (§8): finance's own read models of order facts, complaints and
# deposits (from events), and the settlement documents. See docs/adr/0008.


class SettlementOrder(Base):
    """An order as finance knows it from the order-fact and cancellation events."""

    __tablename__ = "settlement_orders"

    order_id: Mapped[str] = mapped_column(Text, primary_key=True)
    merchant_id: Mapped[str | None] = mapped_column(Text, index=True)
    currency: Mapped[str | None] = mapped_column(String(3))
    total_minor: Mapped[int | None] = mapped_column(BigInteger)
    paid_minor: Mapped[int | None] = mapped_column(BigInteger)
    placed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    paid_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    shipped_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    signed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    cancelled_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    cancellation_pending_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # Finance's mark: the order form (黄粉联) is missing; the order's amount is withheld.
    order_form_missing: Mapped[bool] = mapped_column(default=False)
    order_form_note: Mapped[str | None] = mapped_column(Text)
    # The approved settlement that paid this order out (claimed once).
    settlement_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("settlements.id"))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class SettlementComplaint(Base):
    __tablename__ = "settlement_complaints"

    complaint_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    order_id: Mapped[str | None] = mapped_column(Text, index=True)
    merchant_id: Mapped[str | None] = mapped_column(Text)
    opened_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class SettlementDeposit(Base):
    """A cancelled deposit refunded from the float: the merchant owes it until a settlement offsets it."""

    __tablename__ = "settlement_deposits"

    deposit_id: Mapped[str] = mapped_column(Text, primary_key=True)
    merchant_id: Mapped[str] = mapped_column(Text, index=True)
    order_id: Mapped[str | None] = mapped_column(Text)
    amount_minor: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    settlement_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("settlements.id"))


class Settlement(Base):
    """One merchant's settlement for one month: draft → approved → booked."""

    __tablename__ = "settlements"
    __table_args__ = (
        CheckConstraint("status IN ('draft', 'approved', 'booked')", name="status_known"),
        UniqueConstraint("merchant_id", "month"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    merchant_id: Mapped[str] = mapped_column(Text)
    month: Mapped[date] = mapped_column(Date)
    currency: Mapped[str] = mapped_column(String(3))
    status: Mapped[str] = mapped_column(String(8), default="draft")
    gross_minor: Mapped[int] = mapped_column(BigInteger)  # included + withheld orders
    withheld_minor: Mapped[int] = mapped_column(BigInteger)  # orders without their order form
    deposits_minor: Mapped[int] = mapped_column(BigInteger)  # cancelled deposits recovered
    net_minor: Mapped[int] = mapped_column(BigInteger)  # paid to the merchant
    created_by: Mapped[str] = mapped_column(Text)
    computed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    approved_by: Mapped[str | None] = mapped_column(Text)
    approved_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    booked_by: Mapped[str | None] = mapped_column(Text)
    booked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    transaction_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("ledger_transactions.id"))


class SettlementLine(Base):
    """included: settles; excluded: not this time (reason); withheld: order form missing
    (offset); deposit: a cancelled deposit offset (or carried forward, amount not counted)."""

    __tablename__ = "settlement_lines"
    __table_args__ = (CheckConstraint("kind IN ('included', 'excluded', 'withheld', 'deposit')", name="kind_known"),)

    id: Mapped[int] = mapped_column(BigInteger, Identity(always=True), primary_key=True)
    settlement_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("settlements.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(8))
    order_id: Mapped[str | None] = mapped_column(Text)
    deposit_id: Mapped[str | None] = mapped_column(Text)
    reason: Mapped[str | None] = mapped_column(Text)
    amount_minor: Mapped[int] = mapped_column(BigInteger)
