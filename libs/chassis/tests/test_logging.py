"""Personal data never reaches a log line in clear."""

from __future__ import annotations

import io
import logging
import sys
from typing import Any

import pytest
import structlog

from aftersales_chassis.logging import configure_logging, mask_personal_data, mask_phones, mask_value
from aftersales_chassis.testing import kept_logging


def _masked(**event: Any) -> dict[str, Any]:
    return dict(mask_personal_data(None, "info", dict(event)))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("call 13812345678 now", "call 138****5678 now"),
        ("+86 13812345678", "+86 138****5678"),
        ("8613912345678", "86139****5678"),
        ("tel:15000000001;", "tel:150****0001;"),
    ],
)
def test_phone_numbers_inside_strings_are_masked(text: str, expected: str) -> None:
    assert mask_phones(text) == expected
    assert _masked(event="customer.called", note=text)["note"] == expected


def test_longer_digit_runs_are_not_phone_numbers() -> None:
    order_no = "202611231381234567890"  # an order number that contains a phone-like run
    assert mask_phones(order_no) == order_no
    assert mask_phones("12345678901") == "12345678901"  # mobile numbers start 13-19


def test_values_under_personal_keys_are_masked() -> None:
    event = _masked(
        event="return.requested",
        phone="13812345678",
        address="Room 101, 1 Nanjing Road, Shanghai",
        name="Zhang San",
        Receiver="Li Si",
        order_id="o-4711",
        quantity=2,
    )
    assert event["phone"] == "138*****678"
    assert event["address"] != "Room 101, 1 Nanjing Road, Shanghai"
    assert event["address"].startswith("Roo")
    assert event["address"].endswith("hai")
    assert "Nanjing" not in event["address"]
    assert event["name"] == "Z*******n"
    assert event["Receiver"] == "L***i"
    assert event["order_id"] == "o-4711"
    assert event["quantity"] == 2
    assert event["event"] == "return.requested"


def test_nested_payloads_are_masked() -> None:
    event = _masked(
        event="ticket.created",
        customer={"name": "Wang Wu", "contact": {"phone": "13900001111"}, "note": "ring 13900001111"},
        lines=[{"address": "Somewhere 9"}, "sms 15011112222"],
    )
    customer = event["customer"]
    assert customer["name"] == "W*****u"
    assert "13900001111" not in repr(customer)
    assert customer["note"] == "ring 139****1111"
    assert event["lines"][0]["address"] == "Som*****e 9"
    assert event["lines"][1] == "sms 150****2222"


@pytest.mark.parametrize(
    ("value", "expected"), [("", ""), ("ab", "**"), ("abc", "a*c"), ("13812345678", "138*****678")]
)
def test_mask_value_keeps_only_the_ends(value: str, expected: str) -> None:
    assert mask_value(value) == expected


def test_configured_logger_masks_what_it_writes(capsys: pytest.CaptureFixture[str]) -> None:
    with kept_logging():
        configure_logging("logtest", json=True)
        structlog.get_logger("t").info("customer.called", phone="13812345678", note="call 13812345678")
        logging.getLogger("plain").warning("stdlib line with 13812345678")
        err = capsys.readouterr().err
    assert "13812345678" not in err
    assert "138****5678" in err
    assert '"service": "logtest"' in err
    assert '"event": "customer.called"' in err


def test_uvicorn_logs_at_the_service_level(capsys: pytest.CaptureFixture[str]) -> None:
    uvicorn = logging.getLogger("uvicorn.error")
    level = uvicorn.level
    uvicorn.setLevel(logging.INFO)  # what uvicorn's own log config sets before the app is loaded
    try:
        with kept_logging():
            configure_logging("logtest", level="WARNING", json=True)
            uvicorn.info("Shutting down")
            uvicorn.warning("Invalid HTTP request received.")
            err = capsys.readouterr().err
    finally:
        uvicorn.setLevel(level)
    assert "Shutting down" not in err
    assert "Invalid HTTP request received." in err


def test_log_lines_go_to_the_stderr_of_the_moment(monkeypatch: pytest.MonkeyPatch) -> None:
    """Records logged after stderr was swapped (and the old one closed) are not lost or an error."""
    with kept_logging():
        configure_logging("logtest", json=True)
        later = io.StringIO()
        monkeypatch.setattr(sys, "stderr", later)
        logging.getLogger("plain").warning("logged after the swap")
    assert "logged after the swap" in later.getvalue()
