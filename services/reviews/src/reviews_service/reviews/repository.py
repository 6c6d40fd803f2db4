"""Every query of reviews and their cases."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import DateTime, SmallInteger, Text, bindparam, insert, select, text, update
from sqlalchemy.dialects.postgresql import ARRAY, UUID
from sqlalchemy.ext.asyncio import AsyncSession

from aftersales_chassis import NotFound, PageParams
from aftersales_chassis.keyset import keyset

from .models import CaseState, Rating, Review, ReviewCase, ReviewVersion

# The intake's hot path (ADR 0024), one round trip for a page of first versions: each version is
# claimed (the idempotency key), its review inserted when the claim is new and the review is
# not known yet, and, for a neutral or negative one, its case opened with the customer and phone
# of the order read model. Reviews go in sorted by key, so two pages sharing reviews wait for
# each other in one order. A version whose review exists is only claimed here: the caller
# applies it as an update. The case's foreign key is checked at the statement's end.
TAKE_FIRST = text(
    "WITH page AS ("
    " SELECT * FROM unnest(:ns, :marketplaces, :review_ids, :updated_ats, :stars, :ids, :order_ids, :customer_ids,"
    " :skus, :ratings, :texts, :dsr_descriptions, :dsr_services, :dsr_logisticss, :reviewed_ats, :case_ids,"
    " :call_due_ats) AS p(n, marketplace, review_id, updated_at, stars, id, order_id, customer_id, sku, rating, text,"
    " dsr_description, dsr_service, dsr_logistics, reviewed_at, case_id, call_due_at)),"
    " claimed AS ("
    " INSERT INTO review_versions (marketplace, review_id, updated_at, stars, outcome, received_at)"
    " SELECT marketplace, review_id, updated_at, stars, 'applied', :now FROM page ORDER BY marketplace, review_id"
    " ON CONFLICT DO NOTHING RETURNING marketplace, review_id),"
    " inserted AS ("
    " INSERT INTO reviews (id, marketplace, review_id, order_id, customer_id, sku, stars, rating, text,"
    " dsr_description, dsr_service, dsr_logistics, reviewed_at, updated_at, received_at, excluded)"
    " SELECT p.id, p.marketplace, p.review_id, p.order_id, p.customer_id, p.sku, p.stars, p.rating, p.text,"
    " p.dsr_description, p.dsr_service, p.dsr_logistics, p.reviewed_at, p.updated_at, :now, false"
    " FROM page AS p JOIN claimed AS c USING (marketplace, review_id) ORDER BY p.marketplace, p.review_id"
    " ON CONFLICT ON CONSTRAINT uq_reviews_marketplace_review DO NOTHING RETURNING id),"
    " opened AS ("
    " INSERT INTO review_cases (id, review_pk, marketplace, review_id, order_id, customer_id, phone, rating, state,"
    " bad_since, call_due_at, amend_requests, updates_while_bad, opened_at, updated_at)"
    " SELECT p.case_id, p.id, p.marketplace, p.review_id, p.order_id, coalesce(p.customer_id, o.customer_id),"
    " o.phone, p.rating, :state, p.reviewed_at, p.call_due_at, 0, 0, :now, :now"
    " FROM page AS p JOIN inserted AS r ON r.id = p.id LEFT JOIN orders AS o ON o.order_id = p.order_id"
    " WHERE p.case_id IS NOT NULL RETURNING id, customer_id, phone)"
    " SELECT p.n, c.review_id IS NOT NULL AS claimed, r.id IS NOT NULL AS inserted, k.customer_id, k.phone"
    " FROM page AS p LEFT JOIN claimed AS c USING (marketplace, review_id) LEFT JOIN inserted AS r ON r.id = p.id"
    " LEFT JOIN opened AS k ON k.id = p.case_id ORDER BY p.n"
).bindparams(
    bindparam("ns", type_=ARRAY(SmallInteger())),
    *(
        bindparam(name, type_=ARRAY(Text()))
        for name in ("marketplaces", "review_ids", "order_ids", "customer_ids", "skus", "ratings", "texts")
    ),
    *(
        bindparam(name, type_=ARRAY(DateTime(timezone=True)))
        for name in ("updated_ats", "reviewed_ats", "call_due_ats")
    ),
    *(
        bindparam(name, type_=ARRAY(SmallInteger()))
        for name in ("stars", "dsr_descriptions", "dsr_services", "dsr_logisticss")
    ),
    *(bindparam(name, type_=ARRAY(UUID(as_uuid=True))) for name in ("ids", "case_ids")),
    bindparam("now", type_=DateTime(timezone=True)),
    bindparam("state", type_=Text()),
)
PAGE_COLUMNS = {
    "marketplaces": "marketplace",
    "review_ids": "review_id",
    "updated_ats": "updated_at",
    "stars": "stars",
    "ids": "id",
    "order_ids": "order_id",
    "customer_ids": "customer_id",
    "skus": "sku",
    "ratings": "rating",
    "texts": "text",
    "dsr_descriptions": "dsr_description",
    "dsr_services": "dsr_service",
    "dsr_logisticss": "dsr_logistics",
    "reviewed_ats": "reviewed_at",
}

# What a resent version is answered with: its review and the review's open case, for a page at once.
ANSWERS = text(
    "SELECT p.marketplace, p.review_id, r.id, r.rating, c.id AS case_id, c.state AS case_state"
    " FROM unnest(:marketplaces, :review_ids) AS p(marketplace, review_id)"
    " JOIN reviews AS r USING (marketplace, review_id)"
    " LEFT JOIN review_cases AS c ON c.review_pk = r.id AND c.closed_at IS NULL"
).bindparams(*(bindparam(name, type_=ARRAY(Text())) for name in ("marketplaces", "review_ids")))

MARK_STALE = (
    update(ReviewVersion)
    .where(
        ReviewVersion.marketplace == bindparam("m"),
        ReviewVersion.review_id == bindparam("r"),
        ReviewVersion.updated_at == bindparam("u"),
    )
    .values(outcome="stale")
)
INSERT_CASE = insert(ReviewCase)
CASE_COLUMNS = tuple(c.name for c in ReviewCase.__table__.columns)


@dataclass(slots=True)
class NewReview:
    """A review's first version as :meth:`ReviewRepository.take_first` writes it (a plain row,
    not an ORM object: a page builds a hundred and never flushes them)."""

    id: uuid.UUID
    marketplace: str
    review_id: str
    order_id: str | None
    customer_id: str | None
    sku: str | None
    stars: int
    rating: Rating
    text: str
    dsr_description: int | None
    dsr_service: int | None
    dsr_logistics: int | None
    reviewed_at: datetime
    updated_at: datetime


@dataclass(slots=True)
class NewCase:
    """A case as the intake opens it (every column of ``review_cases``; the workflow runner
    sets its state and update time)."""

    id: uuid.UUID
    review_pk: uuid.UUID
    marketplace: str
    review_id: str
    order_id: str | None
    customer_id: str | None
    phone: str | None
    rating: str
    state: str
    bad_since: datetime
    call_due_at: datetime
    opened_at: datetime
    updated_at: datetime
    path: str | None = None
    called_at: datetime | None = None
    called_by: str | None = None
    amend_requests: int = 0
    amend_window_closes_at: datetime | None = None
    amend_max_requests: int | None = None
    updates_while_bad: int = 0
    outcome: str | None = None
    closed_at: datetime | None = None


@dataclass(frozen=True)
class FirstTaken:
    """What :meth:`ReviewRepository.take_first` did for one version: claimed it (False: a
    resend), inserted its review (False with ``claimed``: the review exists, apply an update),
    and the case's customer and phone when it opened one."""

    claimed: bool
    inserted: bool
    customer_id: str | None
    phone: str | None


@dataclass(frozen=True)
class Answer:
    review: uuid.UUID
    rating: str
    case_id: uuid.UUID | None
    case_state: str | None


class ReviewRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def take_first(
        self, reviews: Sequence[NewReview], cases: Sequence[NewCase | None], *, now: datetime
    ) -> list[FirstTaken]:
        """:data:`TAKE_FIRST` for a page of versions of distinct reviews (built by the caller,
        kept out of the ORM's unit of work), one result per review in the order given. A case
        given is written only for a review inserted here, with the state ``awaiting_call``."""
        values: dict[str, Any] = {
            name: [getattr(review, column) for review in reviews] for name, column in PAGE_COLUMNS.items()
        }
        values["ratings"] = [str(rating) for rating in values["ratings"]]
        values |= {
            "ns": list(range(len(reviews))),
            "case_ids": [case.id if case else None for case in cases],
            "call_due_ats": [case.call_due_at if case else None for case in cases],
            "now": now,
            "state": str(CaseState.awaiting_call),
        }
        rows = (await self.session.execute(TAKE_FIRST, values)).all()
        return [FirstTaken(row.claimed, row.inserted, row.customer_id, row.phone) for row in rows]

    async def answers(self, keys: Sequence[tuple[str, str]]) -> dict[tuple[str, str], Answer]:
        """The review and open case of each (marketplace, review id), in one round trip."""
        rows = await self.session.execute(
            ANSWERS, {"marketplaces": [m for m, _ in keys], "review_ids": [r for _, r in keys]}
        )
        return {
            (row.marketplace, row.review_id): Answer(row.id, row.rating, row.case_id, row.case_state) for row in rows
        }

    async def mark_version_stale(self, version: ReviewVersion) -> None:
        await self.session.execute(
            MARK_STALE, {"m": version.marketplace, "r": version.review_id, "u": version.updated_at}
        )

    async def insert_case(self, case: NewCase) -> None:
        """Writes a case built by the caller (its state and times already set: one INSERT, not
        an ORM flush and an UPDATE)."""
        await self.session.execute(INSERT_CASE, {name: getattr(case, name) for name in CASE_COLUMNS})

    async def find_review(self, marketplace: str, review_id: str, *, for_update: bool = False) -> Review | None:
        query = select(Review).where(Review.marketplace == marketplace, Review.review_id == review_id)
        if for_update:
            query = query.with_for_update()
        return await self.session.scalar(query.execution_options(populate_existing=True))

    async def get_review(self, review_pk: uuid.UUID, *, for_update: bool = False) -> Review:
        query = select(Review).where(Review.id == review_pk)
        if for_update:
            query = query.with_for_update()
        review = await self.session.scalar(query.execution_options(populate_existing=True))
        if review is None:
            raise NotFound(f"review {review_pk} does not exist", resource="review", id=str(review_pk))
        return review

    async def open_case_of(self, review_pk: uuid.UUID) -> ReviewCase | None:
        query = select(ReviewCase).where(ReviewCase.review_pk == review_pk, ReviewCase.closed_at.is_(None))
        return await self.session.scalar(query.with_for_update().execution_options(populate_existing=True))

    async def get_case(self, case_id: uuid.UUID, *, for_update: bool = False) -> ReviewCase:
        query = select(ReviewCase).where(ReviewCase.id == case_id)
        if for_update:
            query = query.with_for_update()  # serialises actions on one case
        case = await self.session.scalar(query.execution_options(populate_existing=True))
        if case is None:
            raise NotFound(f"review case {case_id} does not exist", resource="review case", id=str(case_id))
        return case

    async def page_cases(
        self, page: PageParams, *, state: str | None, path: str | None, marketplace: str | None
    ) -> list[ReviewCase]:
        query = select(ReviewCase)
        if state:
            query = query.where(ReviewCase.state == state)
        if path:
            query = query.where(ReviewCase.path == path)
        if marketplace:
            query = query.where(ReviewCase.marketplace == marketplace)
        return list(await self.session.scalars(keyset(query, page, ReviewCase.opened_at, ReviewCase.id)))

    async def windows_closed(self, now: datetime, limit: int = 500) -> list[uuid.UUID]:
        """Cases still following up (W4) whose marketplace amendment window has closed."""
        query = (
            select(ReviewCase.id)
            .where(ReviewCase.state == CaseState.amend_requested, ReviewCase.amend_window_closes_at <= now)
            .order_by(ReviewCase.amend_window_closes_at)
            .limit(limit)
        )
        return list(await self.session.scalars(query))
