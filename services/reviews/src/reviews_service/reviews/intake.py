"""Review intake (PROCESSES.md §5): every version a marketplace sends, once. A neutral or
negative review opens one case and the 24 h call, counted from the review's own time; a
change to good ends the case (W5); a change that stays bad is recorded on the case."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import asdict
from datetime import datetime
from typing import Any

from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from aftersales_chassis import Clock, NotFound, Principal, RuleViolation
from aftersales_chassis.problem_handlers import error_message, field_path
from aftersales_events.catalogue import reviews as ev
from aftersales_sla import SlaClocks

from ..marketplaces.service import MarketplaceService
from ..orders.repository import OrderRepository
from ..sla import POLICIES
from . import schemas
from .models import CaseState, Rating, Review, ReviewCase, ReviewVersion, rating_of
from .repository import NewCase, NewReview, ReviewRepository
from .state import CASE_FLOW

CALL_STEP = "W1"


class ReviewIntake:
    def __init__(self, session: AsyncSession, clock: Clock, sla: SlaClocks, marketplaces: MarketplaceService) -> None:
        self.session = session
        self.clock = clock
        self.sla = sla
        self.marketplaces = marketplaces
        self.reviews = ReviewRepository(session)
        self.orders = OrderRepository(session)
        self.flow = CASE_FLOW.bind(session, clock, sla)

    async def take_in(self, data: schemas.ReviewIn, actor: Principal) -> schemas.IntakeOut:
        self._require_known(data.marketplace, "body.marketplace")
        [taken] = await self._take_page([data], actor)
        return taken

    async def take_in_batch(self, batch: schemas.ReviewBatchIn, actor: Principal) -> schemas.IntakeBatchOut:
        """A page of reviews in one transaction, each on its own as :meth:`take_in` takes it (a
        review twice in one page: in the page's order). A review that cannot be taken in
        (invalid, an unknown marketplace) is refused with its problem, naming its index and
        fields; the others are taken in."""
        results: list[schemas.IntakeItemOut | None] = [None] * len(batch.reviews)
        valid: list[tuple[int, schemas.ReviewIn]] = []
        for index, item in enumerate(batch.reviews):
            refused = _refusal(index, item, self.marketplaces)
            if isinstance(refused, schemas.ItemProblem):
                results[index] = schemas.IntakeItemOut(index=index, outcome="rejected", problem=refused)
            else:
                valid.append((index, refused))
        taken = await self._take_page([data for _, data in valid], actor) if valid else []
        for (index, _), out in zip(valid, taken, strict=True):
            results[index] = schemas.IntakeItemOut(index=index, **out.model_dump())
        return schemas.IntakeBatchOut(results=[r for r in results if r is not None])

    def _require_known(self, marketplace: str, field: str) -> None:
        try:
            self.marketplaces.require_known(marketplace)
        except NotFound as unknown:
            raise RuleViolation("intake.marketplace-known", unknown.detail, field=field) from unknown

    async def _take_page(self, page: list[schemas.ReviewIn], actor: Principal) -> list[schemas.IntakeOut]:
        """Each version of the page, in the page's order for versions of one review. The first
        version of each review in the page goes through one statement (ADR 0024): a new review,
        and the case of a bad one, are written there, and the new cases' audit rows, W1 clocks
        and events in a statement each. The rest one by one: an update of a known review, and
        a review's later versions in the page."""
        now = self.clock.now()
        firsts: dict[tuple[str, str], int] = {}
        for n, data in enumerate(page):
            firsts.setdefault((data.marketplace, data.review_id), n)
        order = list(firsts.values())
        reviews = [self._new_review(page[n]) for n in order]
        cases = [self._new_case(review, now) if Rating(review.rating) != Rating.good else None for review in reviews]
        taken = await self.reviews.take_first(reviews, cases, now=now)
        out: dict[int, schemas.IntakeOut] = {}
        opened: list[tuple[NewCase, NewReview]] = []
        resent: list[int] = []
        updates: list[int] = []
        for n, review, case, first in zip(order, reviews, cases, taken, strict=True):
            if not first.claimed:
                resent.append(n)
            elif not first.inserted:
                updates.append(n)
            else:
                if case is not None:
                    case.customer_id, case.phone = first.customer_id, first.phone
                    opened.append((case, review))
                out[n] = _out("applied", review.id, review.rating, case)
        await self._opened(opened, actor)
        if resent:
            answers = await self.reviews.answers([(page[n].marketplace, page[n].review_id) for n in resent])
            for n in resent:
                answer = answers[(page[n].marketplace, page[n].review_id)]
                out[n] = schemas.IntakeOut(outcome="duplicate", **asdict(answer))
        for n in updates:  # claimed above: apply it to the review
            out[n] = await self._update(page[n], actor)
        for n, data in enumerate(page):
            if n not in out:  # a later version of a review already in this page
                await self.session.flush()  # it sees what the page did to its review
                out[n] = await self._take_one(data, actor, now)
        return [out[n] for n in range(len(page))]

    async def _take_one(self, data: schemas.ReviewIn, actor: Principal, now: datetime) -> schemas.IntakeOut:
        review = self._new_review(data)
        case = self._new_case(review, now) if Rating(review.rating) != Rating.good else None
        [first] = await self.reviews.take_first([review], [case], now=now)
        if not first.claimed:
            answer = (await self.reviews.answers([(data.marketplace, data.review_id)]))[
                (data.marketplace, data.review_id)
            ]
            return schemas.IntakeOut(outcome="duplicate", **asdict(answer))
        if not first.inserted:
            return await self._update(data, actor)
        if case is not None:
            case.customer_id, case.phone = first.customer_id, first.phone
            await self._opened([(case, review)], actor)
        return _out("applied", review.id, review.rating, case)

    async def _update(self, data: schemas.ReviewIn, actor: Principal) -> schemas.IntakeOut:
        """A claimed version of a review that exists: the newest version wins."""
        found = await self.reviews.find_review(data.marketplace, data.review_id, for_update=True)
        assert found is not None  # the insert met it
        review = found
        applied, previous = self._apply_newer(review, data)
        if not applied:
            version = ReviewVersion(marketplace=data.marketplace, review_id=data.review_id, updated_at=data.updated_at)
            await self.reviews.mark_version_stale(version)
            return _out("stale", review.id, review.rating, await self.reviews.open_case_of(review.id))
        return _out("applied", review.id, review.rating, await self._follow(review, previous, data, actor))

    def _new_review(self, data: schemas.ReviewIn) -> NewReview:
        return NewReview(
            id=uuid.uuid4(),
            marketplace=data.marketplace,
            review_id=data.review_id,
            order_id=data.order_id,
            customer_id=data.customer_id,
            sku=data.sku,
            stars=data.stars,
            rating=rating_of(data.stars),
            text=data.text,
            dsr_description=data.dsr.description if data.dsr else None,
            dsr_service=data.dsr.service if data.dsr else None,
            dsr_logistics=data.dsr.logistics if data.dsr else None,
            reviewed_at=data.reviewed_at,
            updated_at=data.updated_at,
        )

    def _apply_newer(self, review: Review, data: schemas.ReviewIn) -> tuple[bool, Rating | None]:
        """Applies a newer version: (True, the rating before it). An older version than the one
        applied is (False, None): versions can arrive out of order, and the newest wins."""
        if data.updated_at <= review.updated_at:
            return False, None
        previous = Rating(review.rating)
        review.stars, review.rating, review.text, review.updated_at = (
            data.stars,
            rating_of(data.stars),
            data.text,
            data.updated_at,
        )
        review.order_id = data.order_id or review.order_id
        review.customer_id = data.customer_id or review.customer_id
        review.sku = data.sku or review.sku
        if data.dsr is not None:
            review.dsr_description, review.dsr_service, review.dsr_logistics = (
                data.dsr.description,
                data.dsr.service,
                data.dsr.logistics,
            )
        return True, previous

    async def _follow(
        self, review: Review, previous: Rating | None, data: schemas.ReviewIn, actor: Principal
    ) -> ReviewCase | NewCase | None:
        case = await self.reviews.open_case_of(review.id)
        rating = Rating(review.rating)
        if rating == Rating.good:
            if case is not None:
                await self._amended(case, review, previous, actor)
            return case
        if case is not None:
            case.updates_while_bad += 1
            await self.flow.apply(case, "still-bad", actor, reason=f"review updated: {data.stars} stars ({rating})")
            return case
        # A first version counts from when it was written; a review that turns bad on an update,
        # from that update.
        return await self._open(review, data.reviewed_at if previous is None else data.updated_at, actor)

    def _new_case(self, review: Review | NewReview, now: datetime, bad_since: datetime | None = None) -> NewCase:
        """A case for a review that is bad (``bad_since``: from the review's own time by
        default), built here and written by the repository in one statement."""
        since = review.reviewed_at if bad_since is None else bad_since
        return NewCase(
            id=uuid.uuid4(),
            review_pk=review.id,
            marketplace=review.marketplace,
            review_id=review.review_id,
            order_id=review.order_id,
            customer_id=review.customer_id,
            phone=None,
            rating=review.rating,
            state=CaseState.awaiting_call,
            bad_since=since,
            call_due_at=self.sla.calendar.add(since, POLICIES[CALL_STEP].duration),
            opened_at=now,
            updated_at=now,
        )

    async def _opened(self, opened: Sequence[tuple[NewCase, Review | NewReview]], actor: Principal) -> None:
        """The cases just written: their audit rows, events and W1 clocks, a statement each.
        The call is due 24 h from when the review turned bad, not from now."""
        if not opened:
            return
        now = self.clock.now()
        events = [
            ev.ReviewCallRequested(
                case_id=case.id,
                marketplace=case.marketplace,
                review_id=case.review_id,
                rating=review.rating,
                stars=review.stars,
                order_id=case.order_id,
                customer_id=case.customer_id,
                phone=case.phone,
                reviewed_at=case.bad_since,
                due_at=case.call_due_at,
                requested_at=now,
            )
            for case, review in opened
        ]
        cases = [case for case, _ in opened]
        reasons = [f"{review.stars} stars ({review.rating})" for _, review in opened]
        await self.flow.create_many(cases, actor, reasons=reasons, events=events)
        await self.sla.start_many(
            CALL_STEP, CASE_FLOW.aggregate, [str(case.id) for case in cases], at=[case.bad_since for case in cases]
        )

    async def _open(self, review: Review, bad_since: datetime, actor: Principal) -> NewCase:
        """A known review that turned bad on an update (or again, after its case ended)."""
        case = self._new_case(review, self.clock.now(), bad_since)
        order = await self.orders.find(review.order_id) if review.order_id else None
        case.customer_id = review.customer_id or (order.customer_id if order else None)
        case.phone = order.phone if order else None
        await self.reviews.insert_case(case)
        await self._opened([(case, review)], actor)
        return case

    async def _amended(self, case: ReviewCase, review: Review, previous: Rating | None, actor: Principal) -> None:
        now = self.clock.now()
        case.closed_at, case.outcome = now, "amended"
        event = ev.ReviewCaseClosed(
            case_id=case.id,
            marketplace=case.marketplace,
            review_id=case.review_id,
            order_id=case.order_id,
            outcome="amended",
            path=case.path,
            closed_at=now,
        )
        reason = f"review changed from {previous} to {review.stars} stars (good)"
        await self.flow.apply(case, "amended", actor, reason=reason, event=event)


def _out(outcome: str, review: uuid.UUID, rating: str, case: ReviewCase | NewCase | None) -> schemas.IntakeOut:
    return schemas.IntakeOut(
        outcome=outcome,
        review=review,
        rating=rating,
        case_id=case.id if case else None,
        case_state=case.state if case else None,
    )


def _refusal(index: int, item: Any, marketplaces: MarketplaceService) -> schemas.ItemProblem | schemas.ReviewIn:
    """A page's review on its own: the review, or the problem that refuses it (its fields named
    as the request names them, ``body.reviews[3].stars``)."""
    where = ("body", "reviews", index)
    if isinstance(item, dict):
        unstorable = [name for name, value in item.items() if isinstance(value, str) and "\x00" in value]
        if unstorable:
            errors = [
                schemas.FieldError(field=field_path((*where, n)), message=schemas.NUL_MESSAGE) for n in unstorable
            ]
            return schemas.ItemProblem.refused("text.no-nul-character", index, errors)
    try:
        data = schemas.ReviewIn.model_validate(item)
    except ValidationError as invalid:
        errors = [
            schemas.FieldError(field=field_path((*where, *e["loc"])), message=error_message(e))
            for e in invalid.errors()
        ]
        return schemas.ItemProblem.refused(None, index, errors)
    try:
        marketplaces.require_known(data.marketplace)
    except NotFound as unknown:
        error = schemas.FieldError(field=field_path((*where, "marketplace")), message=unknown.detail)
        return schemas.ItemProblem.refused("intake.marketplace-known", index, [error])
    return data
