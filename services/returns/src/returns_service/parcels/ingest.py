"""Scanner batches (M, M1): validate item by item, store new scans once, derive parcels,
match new parcels to returns and hand the rest to customer service (M2)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from pydantic import ValidationError

from aftersales_chassis import DomainError, Principal
from aftersales_chassis.problem_handlers import error_message, field_path
from aftersales_events import EventPayload, record_events
from aftersales_events.catalogue import parcels as ev

from ..returns.models import ReturnRequest
from . import schemas
from .matching import Label, decide, find_candidates
from .metrics import PARCELS, SCANS
from .models import KIND_ORDER, ParcelStatus
from .service import ParcelService
from .state import STEP_IDENTIFY

# Scanner clocks drift; a scan far in the future is a misconfigured device, not an event.
FUTURE_TOLERANCE = timedelta(hours=1)
LABEL_FIELDS = ("courier", "phone", "sender_name", "address", "return_number")


def _field(index: int, *loc: Any) -> str:
    """A scan's field as the request names it: the batch is the body, so ``body[3].scanned_at``."""
    return field_path(("body", index, *loc))


def validate(items: list[Any], now: datetime) -> tuple[list[tuple[int, schemas.ScanIn]], schemas.BatchResult]:
    """Each item on its own: a bad one is rejected with its reasons, the others go on."""
    result = schemas.BatchResult(accepted=[], duplicates=[], rejected=[], parcels=[])
    valid: list[tuple[int, schemas.ScanIn]] = []
    seen: set[str] = set()
    for index, item in enumerate(items):
        raw_id = item.get("scan_id") if isinstance(item, dict) else None
        scan_id = raw_id if isinstance(raw_id, str) else None
        if not isinstance(item, dict):
            error = schemas.FieldError(field=_field(index), message="each scan must be a JSON object")
            result.rejected.append(schemas.RejectedScan(index=index, scan_id=None, errors=[error]))
            continue
        unstorable = [
            schemas.FieldError(field=_field(index, name), message=schemas.NUL_MESSAGE)
            for name in schemas.nul_fields(item)
        ]
        try:
            scan = schemas.ScanIn.model_validate(item)
        except ValidationError as invalid:
            errors = [
                schemas.FieldError(field=_field(index, *e["loc"]), message=error_message(e)) for e in invalid.errors()
            ]
            result.rejected.append(schemas.RejectedScan(index=index, scan_id=scan_id, errors=errors + unstorable))
            continue
        if unstorable:
            result.rejected.append(schemas.RejectedScan(index=index, scan_id=scan_id, errors=unstorable))
            continue
        if scan.scanned_at > now + FUTURE_TOLERANCE:
            error = schemas.FieldError(
                field=_field(index, "scanned_at"), message="more than 1 h in the future: check the scanner"
            )
            result.rejected.append(schemas.RejectedScan(index=index, scan_id=scan.scan_id, errors=[error]))
            continue
        if scan.scan_id in seen:
            result.duplicates.append(schemas.DuplicateScan(index=index, scan_id=scan.scan_id))
            continue
        seen.add(scan.scan_id)
        valid.append((index, scan))
    return valid, result


@dataclass
class _Parcel:
    """What this batch says about one parcel, from its accepted scans in scanned_at order."""

    scans: list[schemas.ScanIn] = field(default_factory=list)
    _ordered: list[schemas.ScanIn] | None = None
    _labels: dict[str, str | None] | None = None

    def ordered(self) -> list[schemas.ScanIn]:
        if self._ordered is None:
            # A ScanKind is a str: the scan's kind looks its order up as it is.
            self._ordered = sorted(self.scans, key=lambda s: (s.scanned_at, KIND_ORDER[s.kind], s.scan_id))
        return self._ordered

    def label(self, name: str) -> str | None:
        """The first non-empty value of a label field, earliest scan first (worked out once)."""
        if self._labels is None:
            labels: dict[str, str | None] = dict.fromkeys(LABEL_FIELDS)
            for scan in self.ordered():
                for field_name in LABEL_FIELDS:
                    if labels[field_name] is None and (value := getattr(scan, field_name)):
                        labels[field_name] = value
            self._labels = labels
        return self._labels[name]

    def has_label(self) -> bool:
        return any(self.label(name) for name in ("return_number", "phone", "sender_name", "address"))

    def inspection(self) -> schemas.ScanIn | None:
        return next((s for s in reversed(self.ordered()) if s.kind == "inspected"), None)


class ScanIngestion:
    def __init__(self, parcels: ParcelService) -> None:
        self.parcels = parcels
        self.repository = parcels.repository
        self.clock = parcels.clock

    async def ingest(self, items: list[Any], actor: Principal) -> schemas.BatchResult:
        now = self.clock.now()
        valid, result = validate(items, now)
        if valid:
            await self._store(valid, result, actor, now)
        SCANS.labels("accepted").inc(len(result.accepted))
        SCANS.labels("duplicate").inc(len(result.duplicates))
        SCANS.labels("rejected").inc(len(result.rejected))
        return result

    async def _store(
        self, valid: list[tuple[int, schemas.ScanIn]], result: schemas.BatchResult, actor: Principal, now: datetime
    ) -> None:
        new_ids = await self.repository.insert_scans([s for _, s in valid], received_at=now, scanned_by=actor.subject)
        accepted = [(i, s) for i, s in valid if s.scan_id in new_ids]
        # Already stored by an earlier request: a scanner resending after a lost reply.
        result.duplicates.extend(
            schemas.DuplicateScan(index=i, scan_id=s.scan_id) for i, s in valid if s.scan_id not in new_ids
        )
        result.duplicates.sort(key=lambda d: d.index)
        if not accepted:
            return
        batch: dict[str, _Parcel] = {}
        for _, scan in accepted:
            batch.setdefault(scan.tracking_number, _Parcel()).scans.append(scan)
        rows = await self.repository.upsert_parcels(self._parcel_rows(batch), now=now)
        by_tracking = {row.tracking_number: row for row in rows}
        briefs = {
            row.tracking_number: schemas.ParcelBrief(
                parcel_id=row.id,
                tracking_number=row.tracking_number,
                status=row.status,
                stage=row.stage,
                return_id=row.return_id,
                matched_by=row.matched_by,
            )
            for row in rows
        }
        events: list[tuple[EventPayload, str]] = []
        for index, scan in accepted:
            parcel_id = by_tracking[scan.tracking_number].id
            result.accepted.append(schemas.AcceptedScan(index=index, scan_id=scan.scan_id, parcel_id=parcel_id))
            scanned = ev.ParcelScanned(
                scan_id=scan.scan_id,
                parcel_id=parcel_id,
                tracking_number=scan.tracking_number,
                kind=scan.kind,
                scanned_at=scan.scanned_at,
                intact=scan.intact,
            )
            events.append((scanned, str(parcel_id)))
        to_check = await self._inspections(batch, by_tracking, actor)
        new = [
            Label(
                parcel_id=row.id,
                tracking_number=row.tracking_number,
                return_number=batch[row.tracking_number].label("return_number"),
                phone=batch[row.tracking_number].label("phone"),
                sender_name=batch[row.tracking_number].label("sender_name"),
                address=batch[row.tracking_number].label("address"),
            )
            for row in sorted(rows, key=lambda r: r.tracking_number)
            if row.inserted or (row.status == ParcelStatus.unmatched and batch[row.tracking_number].has_label())
        ]
        # An unmatched parcel whose later scan shows more of its label gets M1 again.
        retried = {row.id for row in rows if not row.inserted}
        to_check |= await self._match(new, briefs, events, actor, now, retried)
        await record_events(self.parcels.session, events, at=now)
        for parcel_id in sorted(to_check):
            await self.parcels.confirm_if_ready(parcel_id)
        result.parcels = sorted(briefs.values(), key=lambda b: b.tracking_number)

    @staticmethod
    def _parcel_rows(batch: dict[str, _Parcel]) -> list[dict[str, Any]]:
        rows = []
        for tracking_number, parcel in sorted(batch.items()):
            ordered = parcel.ordered()
            row: dict[str, Any] = {name: parcel.label(name) for name in LABEL_FIELDS}
            row["tracking_number"] = tracking_number
            row["first_scan_at"] = ordered[0].scanned_at
            row["last_scan_at"] = ordered[-1].scanned_at
            row["stage"] = ordered[-1].kind
            rows.append(row)
        return rows

    async def _inspections(
        self, batch: dict[str, _Parcel], by_tracking: dict[str, Any], actor: Principal
    ) -> set[uuid.UUID]:
        """M7–M10: the latest inspection (by scanned_at) says whether the goods are intact."""
        check: set[uuid.UUID] = set()
        for tracking_number, parcel in sorted(batch.items()):
            scan = parcel.inspection()
            row = by_tracking[tracking_number]
            if scan is None or (row.inspected_at is not None and scan.scanned_at < row.inspected_at):
                continue
            await self.repository.update(
                row.id,
                intact=scan.intact,
                inspected_at=scan.scanned_at,
                inspected_lines=scan.lines,
                inspected_by=actor.subject,
                attention=None if scan.intact else "not-intact",
            )
            if scan.intact:
                check.add(row.id)
            else:
                await self.parcels.flag(await self.repository.get(row.id), "not-intact", scan.note)
        return check

    async def _match(
        self,
        new: list[Label],
        briefs: dict[str, schemas.ParcelBrief],
        events: list[tuple[EventPayload, str]],
        actor: Principal,
        now: datetime,
        retried: set[uuid.UUID],
    ) -> set[uuid.UUID]:
        """M1 for the batch's new parcels (and unmatched ones with new label details); the rest
        go to customer service with a clock (M2), once."""
        matched: set[uuid.UUID] = set()
        unmatched: list[uuid.UUID] = []
        outcomes = decide(new, await find_candidates(self.parcels.session, new))
        for label, outcome in zip(new, outcomes, strict=True):
            record = None
            if outcome.return_id is not None:
                record = await self._lock_if_awaiting(outcome.return_id)
            if record is not None and outcome.rule is not None:
                await self.parcels.link(label.parcel_id, label.tracking_number, record, outcome.rule, actor)
                briefs[label.tracking_number] = briefs[label.tracking_number].model_copy(
                    update={"status": "matched", "return_id": record.id, "matched_by": outcome.rule}
                )
                matched.add(label.parcel_id)
                if label.parcel_id in retried:
                    await self.parcels.sla.stop(STEP_IDENTIFY, str(label.parcel_id), by=actor.subject)
                continue
            if label.parcel_id in retried:
                continue  # still unmatched: already with customer service, clock running
            ambiguous = outcome.candidates > 1
            if ambiguous:
                note = f"ambiguous: {outcome.candidates} returns match by {outcome.rule}"
                await self.repository.update(label.parcel_id, match_note=note)
            unmatched.append(label.parcel_id)
            payload = ev.ParcelUnmatched(
                parcel_id=label.parcel_id,
                tracking_number=label.tracking_number,
                reason="ambiguous" if ambiguous else "no-candidate",
                candidates=outcome.candidates,
                at=now,
            )
            events.append((payload, str(label.parcel_id)))
        await self._start_identification_clocks(unmatched)
        if unmatched:
            PARCELS.labels(ParcelStatus.unmatched.value, "").inc(len(unmatched))
        return matched

    async def _lock_if_awaiting(self, return_id: uuid.UUID) -> ReturnRequest | None:
        try:
            return await self.parcels.lock_awaiting_return(return_id)
        except DomainError:  # taken or withdrawn since the candidate query: not a match
            return None

    async def _start_identification_clocks(self, parcel_ids: list[uuid.UUID]) -> None:
        """M2's 24 h, started for the batch in one statement."""
        await self.parcels.sla.start_many(STEP_IDENTIFY, "parcel", [str(parcel_id) for parcel_id in parcel_ids])
