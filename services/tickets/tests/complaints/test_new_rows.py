"""The rows intake writes from (ADR 0032) are the tables' rows: same columns, and what they
write reads back as the ORM's complaint."""

from __future__ import annotations

from dataclasses import MISSING, fields

from tickets_service.complaints.models import Complaint, ComplaintMessage
from tickets_service.complaints.new_rows import NewComplaint, NewMessage
from tickets_service.complaints.repository import COMPLAINT_COLUMNS, MESSAGE_COLUMNS


def test_a_new_complaint_has_exactly_the_columns_of_complaints() -> None:
    assert sorted(f.name for f in fields(NewComplaint)) == sorted(COMPLAINT_COLUMNS)
    assert set(COMPLAINT_COLUMNS) == {c.name for c in Complaint.__table__.columns}


def test_a_new_message_has_exactly_the_columns_of_complaint_messages() -> None:
    assert sorted(f.name for f in fields(NewMessage)) == sorted(MESSAGE_COLUMNS)
    assert set(MESSAGE_COLUMNS) == {c.name for c in ComplaintMessage.__table__.columns}


def test_only_a_nullable_column_is_left_to_its_default() -> None:
    """A default of None must be something the table takes: a NOT NULL column is given each time."""
    for model, row in ((Complaint, NewComplaint), (ComplaintMessage, NewMessage)):
        columns = {c.name: c for c in model.__table__.columns}
        for field in fields(row):
            if field.default is not MISSING:
                assert field.default is None, (row.__name__, field.name)
                assert columns[field.name].nullable, (row.__name__, field.name)
