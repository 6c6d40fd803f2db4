"""Review intake (PROCESSES.md §5): every version a marketplace sends, once. A neutral or
negative review opens one case and the 24 h call, counted from the review's own time; a
change to good ends the case (W5); a change that stays bad is recorded on the case."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from aftersales_chassis import Clock, NotFound, Principal, RuleViolation
from aftersales_events.catalogue import reviews as ev
from aftersales_sla import SlaClocks

from ..marketplaces.service import MarketplaceService
from ..orders.repository import OrderRepository
from ..sla import POLICIES
from . import schemas
from .models import CaseState, Rating, Review, ReviewCase, ReviewVersion, rating_of
from .repository import ReviewRepository
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
        try:
            self.marketplaces.require_known(data.marketplace)
        except NotFound as unknown:
            raise RuleViolation("intake.marketplace-known", unknown.detail, field="body.marketplace") from unknown
        now = self.clock.now()
        version = ReviewVersion(
            marketplace=data.marketplace,
            review_id=data.review_id,
            updated_at=data.updated_at,
            stars=data.stars,
            outcome="applied",
            received_at=now,
        )
        if not await self.reviews.claim_version(version):
            return await self._answer("duplicate", data)
        review = self._new_review(data, now)
        if await self.reviews.insert_review(review):
            # A first version: no case can exist yet (the common case, so two queries fewer).
            bad = Rating(review.rating) != Rating.good
            case = await self._open(review, data.reviewed_at, actor) if bad else None
        else:
            found = await self.reviews.find_review(data.marketplace, data.review_id, for_update=True)
            assert found is not None  # the insert met it
            review = found
            applied, previous = self._apply_newer(review, data)
            if not applied:
                await self.reviews.mark_version_stale(version)
                return await self._answer("stale", data)
            case = await self._follow(review, previous, data, actor)
        return schemas.IntakeOut(
            outcome="applied",
            review=review.id,
            rating=review.rating,
            case_id=case.id if case else None,
            case_state=case.state if case else None,
        )

    async def take_in_batch(self, batch: schemas.ReviewBatchIn, actor: Principal) -> schemas.IntakeBatchOut:
        """A page of reviews in one transaction, each as :meth:`take_in` (a review twice in one
        page: in the page's order). All or nothing: a refused review refuses the page."""
        results = []
        for index, item in enumerate(batch.reviews):
            try:
                results.append(await self.take_in(item, actor))
            except RuleViolation as refused:
                field = refused.extensions.get("field")
                if isinstance(field, str) and field.startswith("body."):
                    refused.extensions["field"] = f"body.reviews[{index}].{field.removeprefix('body.')}"
                raise
            await self.session.flush()  # the next review of the page sees this one's changes
        return schemas.IntakeBatchOut(results=results)

    def _new_review(self, data: schemas.ReviewIn, now: datetime) -> Review:
        return Review(
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
            received_at=now,
            excluded=False,
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
    ) -> ReviewCase | None:
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

    async def _open(self, review: Review, bad_since: datetime, actor: Principal) -> ReviewCase:
        now = self.clock.now()
        order = await self.orders.find(review.order_id) if review.order_id else None
        due = self.sla.calendar.add(bad_since, POLICIES[CALL_STEP].duration)
        case = ReviewCase(
            id=uuid.uuid4(),
            review_pk=review.id,
            marketplace=review.marketplace,
            review_id=review.review_id,
            order_id=review.order_id,
            customer_id=review.customer_id or (order.customer_id if order else None),
            phone=order.phone if order else None,
            rating=review.rating,
            state=CaseState.awaiting_call,
            bad_since=bad_since,
            call_due_at=due,
            amend_requests=0,
            updates_while_bad=0,
            opened_at=now,
            updated_at=now,
        )
        await self.reviews.add_case(case)
        event = ev.ReviewCallRequested(
            case_id=case.id,
            marketplace=case.marketplace,
            review_id=case.review_id,
            rating=review.rating,
            stars=review.stars,
            order_id=case.order_id,
            customer_id=case.customer_id,
            phone=case.phone,
            reviewed_at=bad_since,
            due_at=due,
            requested_at=now,
        )
        await self.flow.create(case, actor, reason=f"{review.stars} stars ({review.rating})", event=event)
        await self.sla.start(CALL_STEP, CASE_FLOW.aggregate, str(case.id), at=bad_since)
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

    async def _answer(self, outcome: str, data: schemas.ReviewIn) -> schemas.IntakeOut:
        review = await self.reviews.find_review(data.marketplace, data.review_id)
        assert review is not None  # a version was claimed, so its review exists (same transaction order)
        case = await self.reviews.open_case_of(review.id)
        return schemas.IntakeOut(
            outcome=outcome,
            review=review.id,
            rating=review.rating,
            case_id=case.id if case else None,
            case_state=case.state if case else None,
        )
