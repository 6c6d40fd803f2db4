"""The test helpers' own contract: a shared topic's foreign records read as nothing."""

from __future__ import annotations

import pytest

from aftersales_events import EventEnvelope
from aftersales_events.catalogue.tickets import ComplaintOpened
from aftersales_events.testing import consumer_record, envelope_fields, wrap


def _opened() -> EventEnvelope:
    payload = ComplaintOpened(complaint_id="8c1e4b7e-2f5e-4a40-9d55-0c5a4f0d6a11", order_id="TB-1", channel="wechat",
                              opened_at="2027-03-05T02:00:00Z")  # fmt: skip
    return wrap(payload, subject="TB-1")


def test_an_envelope_reads_as_its_fields() -> None:
    envelope = _opened()
    fields = envelope_fields(consumer_record(envelope))
    assert (fields["id"], fields["subject"], fields["type"]) == (str(envelope.id), "TB-1", envelope.type)


@pytest.mark.parametrize("value", [b"\xff\xfe not json", b"[1, 2]", b'"a string"', b"", None])
def test_what_is_not_an_envelope_reads_as_nothing(value: bytes | None) -> None:
    record = consumer_record(_opened())
    record.value = value  # type: ignore[misc]
    assert envelope_fields(record) == {}
