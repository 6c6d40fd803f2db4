"""The base of every event payload and the registry that maps CloudEvents types to models."""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar, TypeVar

from pydantic import BaseModel, ConfigDict

TYPE_PREFIX = "aftersales"


class EventPayload(BaseModel):
    """A versioned event payload. Unknown fields are ignored so producers can add fields."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    event_name: ClassVar[str]
    producer: ClassVar[str]
    version: ClassVar[int]
    process_step: ClassVar[str | None]  # the PROCESSES.md step that emits it
    summary: ClassVar[str]

    @classmethod
    def event_type(cls) -> str:
        """The CloudEvents ``type``: ``aftersales.<producer>.<Name>.v<version>``."""
        return f"{TYPE_PREFIX}.{cls.producer}.{cls.event_name}.v{cls.version}"

    @classmethod
    def topic(cls) -> str:
        return topic_for(cls.producer)


def topic_for(producer: str) -> str:
    """One topic per producing service."""
    return f"{producer}.events"


def dlq_topic_for(topic: str) -> str:
    return f"{topic}.dlq"


CATALOGUE: dict[str, type[EventPayload]] = {}

P = TypeVar("P", bound=type[EventPayload])


def event(
    producer: str, name: str, *, version: int = 1, step: str | None = None, register: bool = True
) -> Callable[[P], P]:
    """Names a payload model and registers it in the catalogue under its versioned type.

    ``register=False`` names a model without adding it to the catalogue (test doubles).
    """

    def name_and_register(cls: P) -> P:
        cls.producer = producer
        cls.event_name = name
        cls.version = version
        cls.process_step = step
        cls.summary = (cls.__doc__ or name).strip().splitlines()[0]
        if not register:
            return cls
        key = cls.event_type()
        if key in CATALOGUE and CATALOGUE[key] is not cls:
            raise ValueError(f"event type {key} registered twice")
        CATALOGUE[key] = cls
        return cls

    return name_and_register
