"""Booking: balanced transactions, once per source, in the right period; reversals.

The database is the last word on every rule (balanced, one currency, immutable, period
open, within limits); the checks here only give callers a clear error before it.

Exempt from "every query in repository.py" (ADR 0016): :meth:`LedgerService.book_many` is
the hot path every booking takes (a consumer batch of 500 events, the API's batches), and
its statements (``ACCOUNTS_BY_CODE``, ``CLOSED_MONTHS_SINCE``, ``INSERT_TRANSACTIONS``,
``INSERT_POSTINGS``) are the point of it: one statement per table whatever the batch size,
arrays rather than rows of bind parameters, built in one pass over the batch (ADR 0009,
0012). They stay beside the code that builds their arrays. Everything else here reads
through :class:`.repository.LedgerRepository`.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from types import MappingProxyType
from typing import Any, NamedTuple
from zoneinfo import ZoneInfo

from pydantic_core import to_json
from sqlalchemy import BigInteger, Date, DateTime, String, Text, Uuid, bindparam, text
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.ext.asyncio import AsyncSession

from aftersales_chassis import Clock, Conflict, NotFound, RuleViolation
from aftersales_chassis.db_errors import CHECK_VIOLATION, UNIQUE_VIOLATION, DatabaseRefusals
from aftersales_events import Cause, record_events
from aftersales_events.catalogue import finance as fin

from ..months import month_of, next_month
from .repository import LedgerRepository

# Arrays, not rows of bind parameters: one short statement whatever the batch size (the
# server plans it once; the statement-level triggers run once per batch).
# The ids are the server's (gen_random_uuid): cheaper there than made and sent from here.
INSERT_TRANSACTIONS = text(
    "INSERT INTO ledger_transactions (id, source, description, currency, effective_at, booked_at, accounting_date,"
    " reverses_id, details)"
    " SELECT gen_random_uuid(), source, description, currency, effective_at, :booked_at, accounting_date,"
    " reverses_id, details::jsonb"
    " FROM unnest(:source, :description, :currency, :effective_at, :accounting_date, :reverses_id, :details)"
    " AS t(source, description, currency, effective_at, accounting_date, reverses_id, details)"
    " ON CONFLICT (source) DO NOTHING RETURNING id, source"
).bindparams(
    bindparam("source", type_=ARRAY(Text())),
    bindparam("description", type_=ARRAY(Text())),
    bindparam("currency", type_=ARRAY(String())),
    bindparam("effective_at", type_=ARRAY(DateTime(timezone=True))),
    bindparam("booked_at", type_=DateTime(timezone=True)),
    bindparam("accounting_date", type_=ARRAY(Date())),
    bindparam("reverses_id", type_=ARRAY(Uuid())),
    bindparam("details", type_=ARRAY(Text())),
)
INSERT_POSTINGS = text(
    "INSERT INTO postings (transaction_id, account_id, amount_minor, currency, merchant_id, order_id)"
    " SELECT * FROM unnest(:tx, :account, :amount, :currency, :merchant, :order)"
).bindparams(
    bindparam("tx", type_=ARRAY(Uuid())),
    bindparam("account", type_=ARRAY(Uuid())),
    bindparam("amount", type_=ARRAY(BigInteger())),
    bindparam("currency", type_=ARRAY(String())),
    bindparam("merchant", type_=ARRAY(Text())),
    bindparam("order", type_=ARRAY(Text())),
)

ACCOUNTS_BY_CODE = text("SELECT code, id, currency, keyed_by FROM accounts WHERE code = ANY(:codes)").bindparams(
    bindparam("codes", type_=ARRAY(String()))
)
CLOSED_MONTHS_SINCE = text("SELECT month FROM ledger_periods WHERE status = 'closed' AND month >= :since").bindparams(
    bindparam("since", type_=Date())
)


# Named tuples, not frozen dataclasses: as immutable, and built several times per event on
# the consumer's hot path, where a frozen dataclass's __init__ costs three times as much.
class Leg(NamedTuple):
    account_code: str
    amount_minor: int  # debit +, credit −
    # On a merchant-keyed account (merchant_payables), and only there: whose payable the leg
    # moves, and for which order (None: the merchant as a whole). finance_0012.
    merchant_id: str | None = None
    order_id: str | None = None


class Entry(NamedTuple):
    """One transaction to book. ``source`` is unique: booking it again is a no-op."""

    source: str
    description: str
    currency: str
    effective_at: datetime
    legs: Sequence[Leg]
    details: Mapping[str, Any] = MappingProxyType({})
    reverses_id: uuid.UUID | None = None
    # What caused it, for its LedgerTransactionPosted: the consumed event (booked later, in
    # the consumer's flush); None: the request or event in force when it is booked.
    cause: Cause | None = None


class Booked(NamedTuple):
    id: uuid.UUID
    source: str
    accounting_date: date


# The database's refusals of a booking, as the domain errors they mean (422/409, not 500).
DATABASE_RULES = DatabaseRefusals(
    {
        (CHECK_VIOLATION, "ck_accounts_within_limits"): lambda _: RuleViolation(
            "ledger.balance-limit", "the posting would take an account past its limit"
        ),
        (CHECK_VIOLATION, "ledger_period_open"): lambda _: Conflict(  # finance_0009
            "the period closed while booking: retry to book in the next open period"
        ),
        (UNIQUE_VIOLATION, "uq_ledger_transactions_reverses_id"): lambda _: Conflict(
            "the transaction is already reversed"
        ),
        # finance_0011: the checks above make these unreachable from here; named all the same,
        # so that a booking that meets them is a problem that says so, not a 500.
        (CHECK_VIOLATION, "ledger_postings_with_transaction"): lambda refused: Conflict(refused.message),
        (CHECK_VIOLATION, "ledger_transaction_balanced"): lambda refused: RuleViolation(
            "ledger.balanced", refused.message
        ),
        (CHECK_VIOLATION, "ledger_merchant_key"): lambda refused: RuleViolation("ledger.merchant-key", refused.message),
    }
)


class LedgerService:
    def __init__(self, session: AsyncSession, clock: Clock, zone: ZoneInfo) -> None:
        """``zone``: the business calendar's; an entry counts on its effective day there."""
        self.session = session
        self.clock = clock
        self.zone = zone

    async def book(
        self,
        *,
        source: str,
        description: str,
        currency: str,
        effective_at: datetime,
        legs: Sequence[Leg],
        details: dict[str, Any],
    ) -> Booked | None:
        """Books one balanced transaction once per ``source``; None if already booked or empty."""
        booked = await self.book_many([Entry(source, description, currency, effective_at, legs, details)])
        return booked[0] if booked else None

    async def book_many(self, entries: Sequence[Entry]) -> list[Booked]:
        """Books many transactions in three statements; skips sources already booked.

        The consumer's hot path (a batch of 500 events): one pass builds every column, and
        nothing is worked out twice (ADR 0012)."""
        unique: dict[str, Entry] = {}
        for entry in entries:
            checked = self._checked(entry)
            if checked is not None and checked.source not in unique:  # first of a source wins
                unique[checked.source] = checked
        if not unique:
            return []
        accounts = await self._accounts({leg.account_code for e in unique.values() for leg in e.legs})
        zone = self.zone
        days = {source: e.effective_at.astimezone(zone).date() for source, e in unique.items()}
        closed = await self._closed_months(month_of(min(days.values())))
        sources: list[str] = []
        descriptions: list[str] = []
        currencies: list[str] = []
        effective: list[datetime] = []
        accounting_dates: list[date] = []
        reverses: list[uuid.UUID | None] = []
        details_json: list[str] = []
        for source, entry in unique.items():
            currency = entry.currency
            if any(accounts[leg.account_code][1] != currency for leg in entry.legs):
                wrong = sorted({leg.account_code for leg in entry.legs if accounts[leg.account_code][1] != currency})
                raise RuleViolation("ledger.one-currency", f"accounts {wrong} are not in {currency}", source=source)
            if any((accounts[leg.account_code][2] is None) is (leg.merchant_id is not None) for leg in entry.legs):
                raise RuleViolation(
                    "ledger.merchant-key",
                    "a leg on a merchant-keyed account (merchant_payables) names its merchant; other legs name none",
                    source=source,
                )
            day = accounting_date = days[source]
            details = entry.details
            if closed:
                month = month_of(day)
                while month in closed:
                    month = next_month(month)
                if month != month_of(day):
                    # A late event for a closed month: it counts in the next open one, and
                    # says which day it belongs to.
                    accounting_date, details = month, {**details, "belongs_to": day.isoformat()}
            sources.append(source)
            descriptions.append(entry.description)
            currencies.append(currency)
            effective.append(entry.effective_at)
            accounting_dates.append(accounting_date)
            reverses.append(entry.reverses_id)
            details_json.append(to_json(details if type(details) is dict else dict(details)).decode())
        now = self.clock.now()
        with DATABASE_RULES:
            inserted = await self.session.execute(
                INSERT_TRANSACTIONS,
                {
                    "booked_at": now,
                    "source": sources,
                    "description": descriptions,
                    "currency": currencies,
                    "effective_at": effective,
                    "accounting_date": accounting_dates,
                    "reverses_id": reverses,
                    "details": details_json,
                },
            )
        new: dict[str, uuid.UUID] = {source: tx_id for tx_id, source in inserted.all()}
        if not new:
            return []
        booked = [Booked(new[s], s, day) for s, day in zip(sources, accounting_dates, strict=True) if s in new]
        # The outbox before the postings: inserting postings locks the accounts' balance rows
        # until commit, and every concurrent booking on the same (hot) accounts waits for
        # them; so nothing that can be done earlier is done after.
        await record_events(
            self.session,
            [
                (
                    fin.LedgerTransactionPosted(
                        transaction_id=tx_id,
                        source=source,
                        currency=unique[source].currency,
                        total_debit_minor=sum(leg.amount_minor for leg in unique[source].legs if leg.amount_minor > 0),
                        booked_at=now,
                    ),
                    str(tx_id),
                )
                for source, tx_id in new.items()
            ],
            at=now,
            causes=[unique[source].cause for source in new],
        )
        posting_tx: list[uuid.UUID] = []
        posting_account: list[uuid.UUID] = []
        posting_amount: list[int] = []
        posting_currency: list[str] = []
        posting_merchant: list[str | None] = []
        posting_order: list[str | None] = []
        for source, tx_id in new.items():
            entry = unique[source]
            for leg in entry.legs:
                posting_tx.append(tx_id)
                posting_account.append(accounts[leg.account_code][0])
                posting_amount.append(leg.amount_minor)
                posting_currency.append(entry.currency)
                posting_merchant.append(leg.merchant_id)
                posting_order.append(leg.order_id)
        with DATABASE_RULES:
            # One statement whatever the batch size (arrays, not N bind parameters): the
            # balance trigger runs once per statement.
            await self.session.execute(
                INSERT_POSTINGS,
                {
                    "tx": posting_tx,
                    "account": posting_account,
                    "amount": posting_amount,
                    "currency": posting_currency,
                    "merchant": posting_merchant,
                    "order": posting_order,
                },
            )
        return booked

    async def reverse(self, transaction_id: uuid.UUID, *, reason: str, by: str) -> Booked:
        """Books the mirror image of a transaction (the only way to correct one)."""
        repo = LedgerRepository(self.session)
        original = await repo.transaction(transaction_id)
        if original is None:
            raise NotFound(f"transaction {transaction_id} does not exist", resource="transaction")
        if original.reverses_id is not None:
            raise RuleViolation("ledger.no-reversal-of-reversal", "a reversal is not reversed: book a new transaction")
        already = await repo.reversal_of(transaction_id)
        if already is not None:
            raise Conflict(f"transaction {transaction_id} is already reversed", reversal_id=str(already))
        legs = await repo.legs(transaction_id)
        entry = Entry(
            source=f"reversal:{transaction_id}",
            description=f"Reversal of {original.description}",
            currency=original.currency,
            effective_at=self.clock.now(),
            legs=[Leg(code, -amount, merchant, order) for code, amount, merchant, order in legs],
            details={"reverses": str(transaction_id), "reason": reason, "reversed_by": by},
            reverses_id=transaction_id,
        )
        booked = await self.book_many([entry])
        if not booked:
            raise Conflict(f"transaction {transaction_id} is already reversed")
        return booked[0]

    @staticmethod
    def _checked(entry: Entry) -> Entry | None:
        legs = [leg for leg in entry.legs if leg.amount_minor != 0]
        if not legs:
            return None
        if len(legs) < 2 or sum(leg.amount_minor for leg in legs) != 0:
            raise RuleViolation(
                "ledger.balanced", f"postings of {entry.source} do not sum to zero", source=entry.source
            )
        return entry if len(legs) == len(entry.legs) else entry._replace(legs=legs)

    async def _accounts(self, codes: set[str]) -> dict[str, tuple[uuid.UUID, str, str | None]]:
        """(id, currency, keyed_by) by code; a plain statement, not ORM objects (once per
        batch, but the ORM's load cost a millisecond of it)."""
        rows = await self.session.execute(ACCOUNTS_BY_CODE, {"codes": list(codes)})
        found = {code: (account_id, currency, keyed) for code, account_id, currency, keyed in rows.all()}
        if missing := codes - set(found):
            raise NotFound(f"accounts {sorted(missing)} do not exist", resource="account")
        return found

    async def _closed_months(self, since: date) -> set[date]:
        return set(await self.session.scalars(CLOSED_MONTHS_SINCE, {"since": since}))
