"""The base of every event payload and the registry that maps CloudEvents types to models."""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar, TypeVar

from pydantic import BaseModel, ConfigDict

from ..steps import SPEC_STEPS

TYPE_PREFIX = "aftersales"


class EventPayload(BaseModel):
    """A versioned event payload. Unknown fields are ignored so producers can add fields."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    event_name: ClassVar[str]
    producer: ClassVar[str]
    version: ClassVar[int]
    process_step: ClassVar[str | None]  # the PROCESSES.md step that emits it
    summary: ClassVar[str]
    stream: ClassVar[str] = "events"  # the producer's topic it goes on (see topic_for)

    @classmethod
    def event_type(cls) -> str:
        """The CloudEvents ``type``: ``aftersales.<producer>.<Name>.v<version>``."""
        return f"{TYPE_PREFIX}.{cls.producer}.{cls.event_name}.v{cls.version}"

    @classmethod
    def topic(cls) -> str:
        return topic_for(cls.producer, cls.stream)


def topic_for(producer: str, stream: str = "events") -> str:
    """A producing service's topic: ``<producer>.events`` for its business events, and one
    more per high-volume stream that most consumers would only skip (ADR 0013): the
    returns service's warehouse parcel events go on ``returns.parcels``."""
    return f"{producer}.{stream}"


def dlq_topic_for(topic: str) -> str:
    return f"{topic}.dlq"


CATALOGUE: dict[str, type[EventPayload]] = {}

P = TypeVar("P", bound=type[EventPayload])


def event(
    producer: str,
    name: str,
    *,
    version: int = 1,
    step: str | None = None,
    stream: str = "events",
    register: bool = True,
) -> Callable[[P], P]:
    """Names a payload model and registers it in the catalogue under its versioned type.

    ``stream`` picks the producer's topic (``topic_for``). ``register=False`` names a model
    without adding it to the catalogue (test doubles).
    """

    if step is not None and step not in SPEC_STEPS:
        raise ValueError(f"event {producer}.{name}: step {step!r} is not a step of PROCESSES.md")

    def name_and_register(cls: P) -> P:
        cls.producer = producer
        cls.stream = stream
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


def topics_of(producer: str) -> set[str]:
    """Every topic ``producer`` publishes on (its business topic even before it has events)."""
    return {topic_for(producer)} | {model.topic() for model in CATALOGUE.values() if model.producer == producer}
