"""The one CSV format: RFC 4180 lines (CRLF, minimal quoting), UTF-8 with a BOM, an attachment."""

from __future__ import annotations

import csv
import io

import pytest

from aftersales_chassis.csv import BOM, content_disposition, csv_response, csv_text

COLUMNS = ["order_id", "note", "amount_minor", "missing"]
AWKWARD = {
    "order_id": "TB-1",
    "note": '王小明, "急件"\n第二行',  # a comma, quotes, a newline and Chinese text in one field
    "amount_minor": 6450,
    "missing": None,
}


def test_a_document_is_utf8_with_a_bom_and_crlf_lines() -> None:
    response = csv_response([AWKWARD, {"order_id": "TB-2"}], columns=COLUMNS, filename="x.csv")
    body = bytes(response.body)
    assert body.startswith(b"\xef\xbb\xbf")
    text = body.decode("utf-8-sig")
    assert text.startswith("order_id,note,amount_minor,missing\r\n")
    assert text.endswith("TB-2,,,\r\n")
    # The newline inside the quoted field stays as it was; every record ends in CRLF.
    assert '"王小明, ""急件""\n第二行"' in text
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert response.headers["content-disposition"] == 'attachment; filename="x.csv"'


def test_every_field_round_trips_through_the_csv_reader() -> None:
    text = bytes(csv_response([AWKWARD], columns=COLUMNS, filename="x.csv").body).decode("utf-8-sig")
    header, row = list(csv.reader(io.StringIO(text, newline="")))
    assert header == COLUMNS
    assert row == ["TB-1", AWKWARD["note"], "6450", ""]


def test_only_fields_that_need_it_are_quoted() -> None:
    assert csv_text([{"a": "plain", "b": "x,y"}], ["a", "b"]) == 'a,b\r\nplain,"x,y"\r\n'


def test_no_rows_is_still_a_header() -> None:
    assert bytes(csv_response([], columns=["a", "b"], filename="x.csv").body) == (BOM + "a,b\r\n").encode()


def test_a_key_that_is_not_a_column_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="surprise"):
        csv_text([{"a": 1, "surprise": 2}], ["a"])


def test_a_filename_beyond_ascii_gets_a_stand_in_and_an_rfc6266_name() -> None:
    assert content_disposition("settlement-商户-2026-10.csv") == (
        "attachment; filename=\"settlement-__-2026-10.csv\"; filename*=UTF-8''settlement-%E5%95%86%E6%88%B7-2026-10.csv"
    )
    assert content_disposition('a"b.csv').startswith('attachment; filename="a_b.csv"; filename*=')
    # The header can be sent at all: Starlette encodes headers as Latin-1.
    csv_response([], columns=["a"], filename="商户.csv").headers["content-disposition"].encode("latin-1")
