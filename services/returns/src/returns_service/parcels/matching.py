"""M1: automatic matching of new parcels to returns, for a whole batch in one query.

Rules, in this order: the return number written on the parcel (the return's id), the
return tracking number the agent entered (T1A4), then the order's customer phone, name
and address. Only approved returns with no parcel yet are candidates. The first rule that
finds any candidate decides: exactly one is a match, several are ambiguous and the parcel
goes to customer service (M2) rather than to a guess.
"""

from __future__ import annotations

import re
import uuid
from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

RULES = ("return_number", "return_tracking_number", "phone", "sender_name", "address")

# Normalisation shared by both sides (orders/models.py spells it in SQL): digits only (last
# 11, a mainland mobile without +86); names without spaces; addresses without spaces and
# punctuation. Lower-cased.
# Compiled once: re.sub with a pattern string looks it up in re's cache on every call,
# three calls per parcel. The SQL below spells the same patterns.
_ADDRESS_NOISE = re.compile(r"[\s,.;，。；：、#-]+")
_NOT_PHONE = re.compile(r"[^\d*]")
_SPACES = re.compile(r"\s+")

# Each rule looks the batch's labels up in an index (returns_0009), then keeps the returns
# that are approved and have no parcel yet. A masked phone is a LIKE pattern over its digit
# prefix's range, so it too is an index range, not a scan of every order.
CANDIDATES = text(r"""
WITH p AS (
    SELECT * FROM unnest(CAST(:parcel_id AS uuid[]), CAST(:return_id AS uuid[]), CAST(:tracking AS text[]),
                         CAST(:phone AS text[]), CAST(:phone_prefix AS text[]), CAST(:sender AS text[]),
                         CAST(:address AS text[]))
         AS p(parcel_id, return_id, tracking, phone, phone_prefix, sender, address)
), m AS (
    SELECT p.parcel_id, 0 AS rule, r.id FROM p JOIN returns r ON r.id = p.return_id
    UNION ALL
    SELECT p.parcel_id, 1, r.id FROM p JOIN returns r ON upper(r.return_tracking_number) = p.tracking
    UNION ALL
    SELECT p.parcel_id, 2, r.id
    FROM p JOIN orders o ON p.phone <> '' AND o.phone_key COLLATE "C" >= p.phone_prefix
                         AND o.phone_key COLLATE "C" < p.phone_prefix || ':' AND o.phone_key LIKE p.phone
           JOIN returns r ON r.order_id = o.order_id
    UNION ALL
    SELECT p.parcel_id, 3, r.id FROM p JOIN orders o ON p.sender <> '' AND o.name_key = p.sender
                                       JOIN returns r ON r.order_id = o.order_id
    UNION ALL
    SELECT p.parcel_id, 4, r.id FROM p JOIN orders o ON p.address <> '' AND o.address_key = p.address
                                       JOIN returns r ON r.order_id = o.order_id
)
SELECT m.parcel_id, m.rule, m.id FROM m JOIN returns r ON r.id = m.id
WHERE r.state = 'approved' AND NOT EXISTS (SELECT 1 FROM parcels x WHERE x.return_id = r.id)
""")


def normalise_phone(value: str | None) -> str:
    """Digits, last 11. Labels often mask the middle (138****8000): each masked digit becomes a
    one-character wildcard for LIKE; with fewer than 7 digits shown there is nothing to match on."""
    kept = _NOT_PHONE.sub("", value or "")[-11:]
    if sum(ch.isdigit() for ch in kept) < 7:
        return ""
    return kept.replace("*", "_")


def normalise_name(value: str | None) -> str:
    return _SPACES.sub("", value or "").lower()


def normalise_address(value: str | None) -> str:
    return _ADDRESS_NOISE.sub("", value or "").lower()


def parse_return_number(value: str | None) -> uuid.UUID | None:
    text = (value or "").strip()
    if not text:  # most labels carry none: no exception raised and caught for them
        return None
    try:
        return uuid.UUID(text)
    except ValueError:
        return None


@dataclass(frozen=True)
class Label:
    parcel_id: uuid.UUID
    tracking_number: str
    return_number: str | None
    phone: str | None
    sender_name: str | None
    address: str | None


@dataclass(frozen=True)
class Outcome:
    parcel_id: uuid.UUID
    return_id: uuid.UUID | None
    rule: str | None  # the rule that matched, or that found several candidates
    candidates: int

    @property
    def matched(self) -> bool:
        return self.return_id is not None


async def find_candidates(session: AsyncSession, labels: list[Label]) -> dict[uuid.UUID, list[set[uuid.UUID]]]:
    """For each parcel, the candidate returns per rule (index into ``RULES``)."""
    found: dict[uuid.UUID, list[set[uuid.UUID]]] = defaultdict(lambda: [set() for _ in RULES])
    if not labels:
        return found
    phones = [normalise_phone(x.phone) for x in labels]
    rows = await session.execute(
        CANDIDATES,
        {
            "parcel_id": [x.parcel_id for x in labels],
            "return_id": [parse_return_number(x.return_number) for x in labels],
            "tracking": [x.tracking_number.upper() for x in labels],
            "phone": phones,
            # The digits before the first masked one (':' follows '9'): the index range to search.
            "phone_prefix": [phone.split("_", 1)[0] for phone in phones],
            "sender": [normalise_name(x.sender_name) for x in labels],
            "address": [normalise_address(x.address) for x in labels],
        },
    )
    for parcel_id, rule, return_id in rows:
        found[parcel_id][rule].add(return_id)
    return found


_NO_CANDIDATES: tuple[frozenset[uuid.UUID], ...] = tuple(frozenset() for _ in RULES)


def decide(labels: list[Label], candidates: dict[uuid.UUID, list[set[uuid.UUID]]]) -> list[Outcome]:
    """Applies the rules in order; a return goes to at most one parcel of the batch."""
    taken: set[uuid.UUID] = set()
    outcomes: list[Outcome] = []
    for label in labels:
        outcome = Outcome(label.parcel_id, None, None, 0)
        for rule, ids in zip(RULES, candidates.get(label.parcel_id, _NO_CANDIDATES), strict=True):
            free = ids - taken
            if len(free) == 1:
                outcome = Outcome(label.parcel_id, next(iter(free)), rule, 1)
                taken |= free
                break
            if len(free) > 1:
                outcome = Outcome(label.parcel_id, None, rule, len(free))
                break
        outcomes.append(outcome)
    return outcomes
