"""Outreach lists (§7.2, low priority) uploaded as CSV: every row checked before any task
opens, so a bad file changes nothing; phones on the do-not-call register are skipped."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from typing import Any

from pydantic import BaseModel

from aftersales_chassis import Principal, RuleViolation

from .kinds import TaskKind
from .schemas import normalise_phone
from .service import CallbackService, DoNotCallRefused, TaskSpec

MAX_ROWS = 5000
COLUMNS = ("phone", "name", "customer_id", "note")
BODY: dict[str, Any] = {
    "required": True,
    "content": {
        "text/csv": {
            "schema": {"type": "string"},
            "example": "phone,name,customer_id,note\r\n13800138000,Wang,C-42,bought tea in October\r\n",
        }
    },
}


class OutreachImportOut(BaseModel):
    created: int
    already_listed: int
    do_not_call: int


def _rows(raw: bytes) -> list[dict[str, str]]:
    def refuse(detail: str, errors: list[dict[str, str]] | None = None) -> RuleViolation:
        return RuleViolation("§7.2.outreach-csv", detail, field="body", errors=errors or [])

    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise refuse("the list is not UTF-8 text") from error
    try:
        return _parse(text, refuse)
    except csv.Error as error:  # a NUL byte, an unclosed quote at the end, a field beyond the limit
        raise refuse(f"not a CSV document: {error}") from error


def _parse(text: str, refuse: Callable[..., RuleViolation]) -> list[dict[str, str]]:
    reader = csv.DictReader(io.StringIO(text))
    if reader.fieldnames is None or "phone" not in reader.fieldnames:
        raise refuse(f"the first line names the columns, `phone` among them (known: {', '.join(COLUMNS)})")
    rows: list[dict[str, str]] = []
    errors: list[dict[str, str]] = []
    for number, row in enumerate(reader, start=2):
        if len(rows) >= MAX_ROWS:
            raise refuse(f"at most {MAX_ROWS} rows per list")
        try:
            phone = normalise_phone(row.get("phone") or "")
        except ValueError as error:
            errors.append({"field": f"body.line[{number}].phone", "message": str(error)})
            continue
        rows.append({"phone": phone, **{c: (row.get(c) or "").strip()[:200] for c in COLUMNS[1:]}})
    if errors:
        raise refuse(f"{len(errors)} row(s) have no usable phone; nothing was imported", errors)
    if not rows:
        raise refuse("the list has no rows")
    return rows


async def import_outreach(service: CallbackService, list_id: str, raw: bytes, actor: Principal) -> OutreachImportOut:
    rows = _rows(raw)
    created = existing = refused = 0
    now = service.clock.now()
    for row in rows:
        spec = TaskSpec(
            kind=TaskKind.outreach, source=f"outreach:{list_id}:{row['phone']}", phone=row["phone"], requested_at=now,
            customer_id=row["customer_id"] or None, customer_name=row["name"], note=row["note"],
        )  # fmt: skip
        try:
            _, new = await service.open_task(spec, actor)
        except DoNotCallRefused:
            refused += 1
            continue
        created, existing = created + new, existing + (not new)
    return OutreachImportOut(created=created, already_listed=existing, do_not_call=refused)
