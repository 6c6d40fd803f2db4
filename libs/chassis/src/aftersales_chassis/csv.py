"""CSV documents, one format everywhere: RFC 4180 (CRLF line endings, fields quoted only
when they must be), UTF-8 with a byte-order mark so that spreadsheet users (Excel on
Windows) open Chinese text correctly, sent as an attachment.

    return csv_response(rows, columns=["order_id", "amount_minor"], filename="settlement-M-001-2026-10.csv")

and document the route with ``responses=CSV_DOCUMENT``, or, when it answers JSON too, with
``responses=JSON_OR_CSV`` and a ``format: JsonOrCsv = "json"`` query parameter.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Annotated, Any, Literal
from urllib.parse import quote

from fastapi import Query, Response

MEDIA_TYPE = "text/csv; charset=utf-8"
BOM = "\ufeff"
_NOT_SAFE_IN_QUOTES = re.compile(r'[^\x20-\x7e]|["\\]')

CSV_CONTENT: dict[str, Any] = {"text/csv": {"schema": {"type": "string"}}}
"""A 200's ``content`` entry for a route that answers JSON or, on request, CSV."""
CSV_DOCUMENT: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "A CSV document (RFC 4180, UTF-8 with a byte-order mark), sent as an attachment",
        "content": CSV_CONTENT,
    }
}
"""``responses=`` of a route that answers only :func:`csv_response`."""
JSON_OR_CSV: dict[int | str, dict[str, Any]] = {200: {"content": CSV_CONTENT}}
"""``responses=`` of a route that answers JSON, or CSV when asked (:data:`JsonOrCsv`)."""

JsonOrCsv = Annotated[Literal["json", "csv"], Query(description="json (default) or csv")]
"""The ``format`` query parameter of a route that answers JSON or CSV."""


def csv_text(rows: Iterable[Mapping[str, Any]], columns: Sequence[str]) -> str:
    """A header line of ``columns``, then one line per row (a missing value is empty; a key
    that is not a column is a programming error and raises)."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def content_disposition(filename: str) -> str:
    """``attachment; filename="..."``; a name with other than printable ASCII also gets an
    RFC 6266 ``filename*`` (and an ASCII stand-in), since a header is sent as Latin-1."""
    plain = _NOT_SAFE_IN_QUOTES.sub("_", filename)
    if plain == filename:
        return f'attachment; filename="{filename}"'
    return f"attachment; filename=\"{plain}\"; filename*=UTF-8''{quote(filename, safe='')}"


def csv_response(rows: Iterable[Mapping[str, Any]], *, columns: Sequence[str], filename: str) -> Response:
    body = (BOM + csv_text(rows, columns)).encode("utf-8")
    return Response(body, media_type=MEDIA_TYPE, headers={"Content-Disposition": content_disposition(filename)})
