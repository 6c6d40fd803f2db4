"""Use cases of a review case after the intake opened it: the call's finding (W1/Z1/E1), the
misunderstanding and quality steps, asking to amend within the marketplace's policy (W3) and
following up until amended or the window closes (W4). Methods only flush."""

from __future__ import annotations

import uuid
from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from aftersales_chassis import Clock, Page, PageParams, Principal, RuleViolation, page_of
from aftersales_events.catalogue import reviews as ev
from aftersales_sla import SlaClocks
from aftersales_workflow import TransitionOut

from ..marketplaces.service import MarketplaceService
from . import schemas
from .models import CasePath, CaseState, ReviewCase
from .repository import ReviewRepository
from .state import CASE_FLOW

WINDOW_CLOSED = "not amended: window closed"


def to_out(case: ReviewCase) -> schemas.CaseOut:
    out = schemas.CaseOut.model_validate(case)
    out.allowed_actions = CASE_FLOW.allowed_actions(case.state)
    return out


def closed_event(case: ReviewCase, outcome: str) -> ev.ReviewCaseClosed:
    assert case.closed_at is not None
    return ev.ReviewCaseClosed(
        case_id=case.id,
        marketplace=case.marketplace,
        review_id=case.review_id,
        order_id=case.order_id,
        outcome=outcome,
        path=case.path,
        closed_at=case.closed_at,
    )


class CaseService:
    def __init__(
        self, session: AsyncSession, clock: Clock, sla: SlaClocks, marketplaces: MarketplaceService | None = None
    ) -> None:
        """``marketplaces``: needed by W3 only (the window job has none)."""
        self.clock = clock
        self._marketplaces = marketplaces
        self.session = session
        self.reviews = ReviewRepository(session)
        self.flow = CASE_FLOW.bind(session, clock, sla)

    async def call(self, case_id: uuid.UUID, data: schemas.CallIn, actor: Principal) -> schemas.CaseOut:
        case = await self.reviews.get_case(case_id, for_update=True)
        await self.flow.apply(case, "call", actor, outcome=data.finding, reason=data.note)
        case.path, case.called_at, case.called_by = data.finding, self.clock.now(), actor.subject
        return to_out(case)

    async def step(self, case_id: uuid.UUID, action: str, data: schemas.NoteIn, actor: Principal) -> schemas.CaseOut:
        """W2 answer, Z2 listen, Z3 explain: a step recorded with what was said."""
        case = await self.reviews.get_case(case_id, for_update=True)
        await self.flow.apply(case, action, actor, reason=data.note)
        return to_out(case)

    async def ask_amend(self, case_id: uuid.UUID, data: schemas.NoteIn, actor: Principal) -> schemas.CaseOut:
        """W3, only where the marketplace allows it: at most its number of requests, within its
        number of days of the review (the policy in force at the first request stays with the case)."""
        if self._marketplaces is None:
            raise RuntimeError("asking to amend needs the marketplace port")
        marketplaces = self._marketplaces
        case = await self.reviews.get_case(case_id, for_update=True)
        self.flow.require(case, "ask-amend")
        now = self.clock.now()
        if case.amend_requests == 0:
            policy = await marketplaces.policy(case.marketplace)
            if not policy.allowed:
                raise RuleViolation(
                    "W3.marketplace-forbids-asking",
                    f"{case.marketplace} does not allow asking a reviewer to amend; end the case without it",
                    marketplace=case.marketplace,
                )
            case.amend_max_requests = policy.max_requests
            case.amend_window_closes_at = case.bad_since + timedelta(days=policy.window_days)
        assert case.amend_window_closes_at is not None
        assert case.amend_max_requests is not None
        if now >= case.amend_window_closes_at:
            raise RuleViolation(
                "W3.amend-window-closed",
                f"{case.marketplace} allows asking until {case.amend_window_closes_at.isoformat()}",
                closes_at=case.amend_window_closes_at.isoformat(),
            )
        if case.amend_requests >= case.amend_max_requests:
            raise RuleViolation(
                "W3.amend-requests-used",
                f"{case.marketplace} allows {case.amend_max_requests} request(s) per review; all were made",
                max_requests=case.amend_max_requests,
            )
        case.amend_requests += 1
        await self.flow.apply(case, "ask-amend", actor, reason=data.note)
        await marketplaces.port.request_amendment(case.marketplace, case.review_id, case.amend_requests)
        return to_out(case)

    async def follow_up(self, case_id: uuid.UUID, data: schemas.NoteIn, actor: Principal) -> schemas.CaseOut:
        """W4: the follow-up is recorded and the next one falls due 3 wd later."""
        case = await self.reviews.get_case(case_id, for_update=True)
        self.flow.require(case, "follow-up")
        assert case.amend_window_closes_at is not None  # set by W3
        if self.clock.now() >= case.amend_window_closes_at:
            raise RuleViolation(
                "W4.amend-window-closed",
                "the marketplace's amendment window has closed: the case ends not amended (close-window)",
                closes_at=case.amend_window_closes_at.isoformat(),
            )
        await self.flow.apply(case, "follow-up", actor, reason=data.note)
        return to_out(case)

    async def close_window(self, case_id: uuid.UUID, actor: Principal) -> schemas.CaseOut:
        """The amendment window closed without the review changing: the case ends not amended."""
        case = await self.reviews.get_case(case_id, for_update=True)
        self.flow.require(case, "close-window")
        assert case.amend_window_closes_at is not None
        if self.clock.now() < case.amend_window_closes_at:
            raise RuleViolation(
                "W4.window-still-open",
                f"the amendment window is open until {case.amend_window_closes_at.isoformat()}",
                closes_at=case.amend_window_closes_at.isoformat(),
            )
        await self._end(case, "close-window", WINDOW_CLOSED, actor)
        return to_out(case)

    async def end_without_amendment(
        self, case_id: uuid.UUID, data: schemas.NoteIn, actor: Principal
    ) -> schemas.CaseOut:
        case = await self.reviews.get_case(case_id, for_update=True)
        self.flow.require(case, "end-without-amendment")
        await self._end(case, "end-without-amendment", f"not amended: {data.note}", actor)
        return to_out(case)

    async def close_due_windows(self, actor: Principal) -> int:
        """The job's sweep: every case whose window has closed ends not amended."""
        closed = 0
        for case_id in await self.reviews.windows_closed(self.clock.now()):
            case = await self.reviews.get_case(case_id, for_update=True)
            if case.state == CaseState.amend_requested:  # another replica may have closed it first
                await self._end(case, "close-window", WINDOW_CLOSED, actor)
                closed += 1
        await self.session.flush()  # a second sweep in this transaction sees them closed
        return closed

    async def _end(self, case: ReviewCase, action: str, outcome: str, actor: Principal) -> None:
        case.closed_at, case.outcome = self.clock.now(), outcome
        await self.flow.apply(case, action, actor, reason=outcome, event=closed_event(case, "not_amended"))

    async def get(self, case_id: uuid.UUID) -> schemas.CaseOut:
        return to_out(await self.reviews.get_case(case_id))

    async def history(self, case_id: uuid.UUID) -> list[TransitionOut]:
        await self.reviews.get_case(case_id)
        return await self.flow.history(case_id)

    async def list(
        self, page: PageParams, *, state: CaseState | None, path: CasePath | None, marketplace: str | None
    ) -> Page[schemas.CaseOut]:
        rows = await self.reviews.page_cases(page, state=state, path=path, marketplace=marketplace)
        return page_of(rows, page, key=lambda r: (r.opened_at, r.id), item=to_out)
