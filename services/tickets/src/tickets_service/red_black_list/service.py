"""Use cases of the red/black list (§4): nominate by the published rules, review, decide (§4.6
stops), correct by a new version. Methods only flush: the entry point commits."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from aftersales_chassis import Clock, Conflict, NotFound, Page, PageParams, Principal, RuleViolation, page_of
from aftersales_events import record_event
from aftersales_events.catalogue.tickets import MerchantStanding, RedBlackListDecided
from aftersales_sla import SlaClocks

from ..reports.periods import month_period
from ..reports.repository import ReportRepository
from ..reports.schemas import MerchantFigures
from ..reports.service import merchant_figures
from . import schemas
from .clock import AGGREGATE, STEP, due_at, rule_text
from .models import ListState, RedBlackEntry, RedBlackList, Standing
from .repository import RedBlackRepository
from .rules import RedBlackRules

RULES_TEXT = (
    "Each month's complaints about a merchant's orders (the monthly analysis, calendar's zone) nominate it: "
    "black when it has at least black_min_complaints complaints, or at least black_min_major major ones, or at "
    "least black_min_breaches §4.4 public replies late; otherwise red when it has at most red_max_complaints "
    "complaints, no major one, no late reply, at least red_min_public_complaints public complaints and an "
    "on-time % of at least red_min_on_time_percent; otherwise neither. A supervisor reviews the nominations and "
    "decides the list by the end of day decide_by_day of the next month (clock §4.6)."
)


def nominate(figure: MerchantFigures, rules: RedBlackRules) -> tuple[Standing, str] | None:
    """The published rules, applied to one merchant's month: (list, why), or None."""
    if figure.complaints >= rules.black_min_complaints:
        return Standing.black, f"complaints {figure.complaints} ≥ {rules.black_min_complaints}"
    if figure.major >= rules.black_min_major:
        return Standing.black, f"major complaints {figure.major} ≥ {rules.black_min_major}"
    if figure.breaches >= rules.black_min_breaches:
        return Standing.black, f"§4.4 late replies {figure.breaches} ≥ {rules.black_min_breaches}"
    on_time = figure.on_time_percent
    # Public complaints whose §4.4 clocks have not stopped yet give no on-time %: not red (yet).
    replied_on_time = on_time >= rules.red_min_on_time_percent if on_time is not None else figure.public_complaints == 0
    if (
        figure.complaints <= rules.red_max_complaints
        and figure.major == 0
        and figure.breaches == 0
        and figure.public_complaints >= rules.red_min_public_complaints
        and replied_on_time
    ):
        return Standing.red, (
            f"complaints {figure.complaints} ≤ {rules.red_max_complaints}, no major, no late reply, "
            f"public {figure.public_complaints}, on time {on_time if on_time is not None else '-'}%"
        )
    return None


def _entry(list_id: uuid.UUID, figure: MerchantFigures, standing: Standing | None, basis: str) -> RedBlackEntry:
    return RedBlackEntry(
        list_id=list_id, merchant_id=figure.merchant_id, nominated=standing, basis=basis,
        standing=standing or Standing.none, complaints=figure.complaints, major=figure.major,
        public_complaints=figure.public_complaints, merchant_breaches=figure.breaches,
        on_time_percent=figure.on_time_percent, note="",
    )  # fmt: skip


def _no_figures(merchant_id: str) -> MerchantFigures:
    return MerchantFigures(
        rank=0, merchant_id=merchant_id, complaints=0, major=0, public_complaints=0, merchant_replied=0,
        avg_reply_hours=None, clocks_stopped=0, on_time=0, breaches=0, on_time_percent=None,
    )  # fmt: skip


class RedBlackService:
    def __init__(
        self, session: AsyncSession, clock: Clock, sla: SlaClocks, zone: ZoneInfo, rules: RedBlackRules
    ) -> None:
        self.session = session
        self.clock = clock
        self.sla = sla
        self.zone = zone
        self.rules = rules
        self.repository = RedBlackRepository(session)

    def published_rules(self) -> schemas.RulesOut:
        return schemas.RulesOut(rules=self.rules, description=RULES_TEXT)

    # -- nominate, review, decide, correct -------------------------------------------------------

    async def _figures(self, month: date) -> dict[str, MerchantFigures]:
        rows = await ReportRepository(self.session).merchants(month_period(month, self.zone))
        return {f.merchant_id: f for f in merchant_figures(rows)}

    async def nominate(self, month: date, actor: Principal) -> tuple[schemas.ListOut, bool]:
        """The month's list nominated by the rules (version 1, §4.6 started); the month's latest
        version if there is one already (False)."""
        period = month_period(month, self.zone)
        if self.clock.now() < period.end_at:
            raise RuleViolation(
                "§4.6.month-over",
                f"{period.label} is not over until {period.end_at.isoformat()}: its list is nominated after",
                field="path.month",
            )
        await self.repository.lock(month)
        if (existing := await self.repository.latest(month)) is not None:
            return await self._out(existing), False
        now = self.clock.now()
        record = RedBlackList(
            id=uuid.uuid4(), month=month, version=1, state=ListState.nominated, rules=self.rules.model_dump(),
            supersedes=None, reason=None, nominated_by=actor.subject, nominated_at=now,
        )  # fmt: skip
        entries = []
        for figure in (await self._figures(month)).values():
            if (nominated := nominate(figure, self.rules)) is not None:
                entries.append(_entry(record.id, figure, *nominated))
        await self.repository.add(record)
        if entries:
            await self.repository.add(*entries)
        await self.sla.start(
            STEP, AGGREGATE, period.label, due=self._due(month), rule=rule_text(self.rules.decide_by_day)
        )
        return await self._out(record), True

    def _due(self, month: date) -> datetime:
        return due_at(month, self.zone, self.rules.decide_by_day)

    async def _under_review(self, month: date) -> RedBlackList:
        await self.repository.lock(month)
        record = await self.repository.latest(month)
        if record is None:
            raise NotFound(f"no red/black list for {month:%Y-%m} yet", resource="red-black-list", id=f"{month:%Y-%m}")
        if record.state != ListState.nominated:
            raise Conflict(
                f"the {month:%Y-%m} list (version {record.version}) is decided and immutable; "
                "correct it with POST /red-black-lists/{month}/corrections",
                rule="§4.6.decided-immutable",
            )
        return record

    async def review(self, month: date, merchant_id: str, data: schemas.ReviewIn, actor: Principal) -> schemas.ListOut:
        """A supervisor puts a merchant on a list, or takes it off (standing none), with a note."""
        record = await self._under_review(month)
        now = self.clock.now()
        entry = await self.repository.entry(record.id, merchant_id)
        if entry is None:
            figure = (await self._figures(month)).get(merchant_id) or _no_figures(merchant_id)
            entry = _entry(record.id, figure, None, f"added in review by {actor.subject}")
            await self.repository.add(entry)
        entry.standing, entry.note = Standing(data.standing), data.note
        entry.reviewed_by, entry.reviewed_at = actor.subject, now
        await self.repository.flush()
        return await self._out(record)

    async def decide(self, month: date, actor: Principal) -> schemas.ListOut:
        """The list decided: immutable from now, §4.6 stopped (breached if late), published."""
        record = await self._under_review(month)
        now = self.clock.now()
        record.state, record.decided_by, record.decided_at = ListState.decided, actor.subject, now
        await self.repository.flush()
        await self.sla.stop(STEP, f"{month:%Y-%m}", by=actor.subject)
        await self._publish(record, None)
        return await self._out(record)

    async def correct(self, month: date, data: schemas.CorrectionIn, actor: Principal) -> schemas.ListOut:
        """A new version of a decided list, with the changes, decided at once and published."""
        await self.repository.lock(month)
        latest = await self.repository.latest(month)
        if latest is None or latest.state != ListState.decided:
            raise Conflict(
                f"only a decided list is corrected; the {month:%Y-%m} list is "
                f"{'not nominated' if latest is None else 'still under review: review it instead'}",
                rule="§4.6.correct-decided-only",
            )
        seen = [line.merchant_id for line in data.changes]
        if len(set(seen)) != len(seen):
            raise RuleViolation("§4.6.correction-once-per-merchant", "a merchant appears twice", field="body.changes")
        now = self.clock.now()
        record = RedBlackList(
            id=uuid.uuid4(), month=month, version=latest.version + 1, state=ListState.nominated, rules=latest.rules,
            supersedes=latest.id, reason=data.reason, nominated_by=actor.subject, nominated_at=now,
        )  # fmt: skip
        copied = {
            e.merchant_id: RedBlackEntry(
                list_id=record.id,
                merchant_id=e.merchant_id,
                nominated=e.nominated,
                basis=e.basis,
                standing=e.standing,
                complaints=e.complaints,
                major=e.major,
                public_complaints=e.public_complaints,
                merchant_breaches=e.merchant_breaches,
                on_time_percent=e.on_time_percent,
                note=e.note,
                reviewed_by=e.reviewed_by,
                reviewed_at=e.reviewed_at,
            )
            for e in await self.repository.entries(latest.id)
        }
        figures: dict[str, MerchantFigures] | None = None
        for line in data.changes:
            if line.merchant_id not in copied:
                figures = figures if figures is not None else await self._figures(month)
                figure = figures.get(line.merchant_id) or _no_figures(line.merchant_id)
                copied[line.merchant_id] = _entry(record.id, figure, None, f"added in correction by {actor.subject}")
            entry = copied[line.merchant_id]
            entry.standing, entry.note = Standing(line.standing), line.note
            entry.reviewed_by, entry.reviewed_at = actor.subject, now
        await self.repository.add(record)
        await self.repository.add(*copied.values())
        record.state, record.decided_by, record.decided_at = ListState.decided, actor.subject, now
        await self.repository.flush()
        await self._publish(record, latest.version)
        return await self._out(record)

    async def _publish(self, record: RedBlackList, supersedes_version: int | None) -> None:
        entries = await self.repository.entries(record.id)

        def standing(entry: RedBlackEntry) -> MerchantStanding:
            return MerchantStanding(
                merchant_id=entry.merchant_id, standing=entry.standing, nominated=entry.nominated,
                complaints=entry.complaints, major=entry.major, public_complaints=entry.public_complaints,
                merchant_breaches=entry.merchant_breaches, on_time_percent=entry.on_time_percent, note=entry.note,
            )  # fmt: skip

        assert record.decided_by is not None
        assert record.decided_at is not None
        event = RedBlackListDecided(
            list_id=record.id, month=f"{record.month:%Y-%m}", list_version=record.version,
            supersedes_version=supersedes_version, reason=record.reason or "",
            red=[standing(e) for e in entries if e.standing == Standing.red],
            black=[standing(e) for e in entries if e.standing == Standing.black],
            rules=record.rules, decided_by=record.decided_by, decided_at=record.decided_at,
        )  # fmt: skip
        await record_event(self.session, event, subject=f"red-black-list:{record.month:%Y-%m}", at=record.decided_at)

    # -- reading ----------------------------------------------------------------------------------

    async def get(self, month: date, version: int | None) -> schemas.ListOut:
        record = await (self.repository.latest(month) if version is None else self.repository.version(month, version))
        if record is None:
            raise NotFound(
                f"no red/black list for {month:%Y-%m}" + (f" version {version}" if version else ""),
                resource="red-black-list",
                id=f"{month:%Y-%m}",
            )
        return await self._out(record)

    async def list(self, page: PageParams, month: date | None) -> Page[schemas.ListSummary]:
        rows = await self.repository.page(page, month)
        versions = {r.id: r.version for r in rows}
        missing = [r.supersedes for r in rows if r.supersedes is not None and r.supersedes not in versions]
        for list_id in missing:
            if (found := await self.repository.by_id(list_id)) is not None:
                versions[found.id] = found.version
        return page_of(
            rows,
            page,
            key=lambda r: (r.month, r.version),
            item=lambda r: schemas.ListSummary(
                id=r.id,
                month=f"{r.month:%Y-%m}",
                version=r.version,
                state=r.state,
                supersedes_version=versions.get(r.supersedes) if r.supersedes else None,
                reason=r.reason,
                decided_by=r.decided_by,
                decided_at=r.decided_at,
            ),
        )

    async def standing(self, month: date, merchant_id: str | None) -> schemas.StandingOut:
        """The merchant's own standing on the month's latest decided version (404 before a decision,
        and for a merchant token that names no merchant)."""
        record = await self.repository.latest_decided(month)
        if record is None or merchant_id is None:
            raise NotFound(f"the {month:%Y-%m} red/black list is not decided yet", resource="red-black-list",
                           id=f"{month:%Y-%m}")  # fmt: skip
        entry = await self.repository.entry(record.id, merchant_id)
        return schemas.StandingOut(
            merchant_id=merchant_id, month=f"{month:%Y-%m}", version=record.version,
            standing=entry.standing if entry is not None else Standing.none,
            decided_at=record.decided_at or record.nominated_at,
            complaints=entry.complaints if entry else None,
            public_complaints=entry.public_complaints if entry else None,
            merchant_breaches=entry.merchant_breaches if entry else None,
            on_time_percent=entry.on_time_percent if entry else None,
        )  # fmt: skip

    async def _out(self, record: RedBlackList) -> schemas.ListOut:
        supersedes = await self.repository.by_id(record.supersedes) if record.supersedes else None
        entries: list[Any] = await self.repository.entries(record.id)
        return schemas.ListOut(
            id=record.id, month=f"{record.month:%Y-%m}", version=record.version, state=record.state,
            rules=record.rules, supersedes_version=supersedes.version if supersedes else None, reason=record.reason,
            nominated_by=record.nominated_by, nominated_at=record.nominated_at, decided_by=record.decided_by,
            decided_at=record.decided_at,
            due_at=due_at(record.month, self.zone, int(record.rules.get("decide_by_day", self.rules.decide_by_day))),
            entries=[schemas.EntryOut.model_validate(e) for e in entries],
        )  # fmt: skip
