"""Lists and replays dead-lettered messages to the topic they came from.

    python -m aftersales_events.dlq list   --topic returns.events.dlq [--consumer finance-service] [--json]
    python -m aftersales_events.dlq replay --topic returns.events.dlq [--consumer finance-service]
                                          [--fix 0:12=corrected.json ...] [--skip 1:7 ...]

``--bootstrap`` defaults to ``KAFKA_BOOTSTRAP_SERVERS`` (else ``127.0.0.1:9092``).

A parked message is named ``<partition>:<offset>`` in its DLQ topic. ``list`` shows the
ones not replayed yet, each with the consumer that parked it and its error (``dlq.*``
headers, written by the consumer runner); it takes nothing. ``replay`` re-publishes them,
once each, after the cause is fixed: a consumer deployed that knows the event's version, the
reference data or the limit a rule checks corrected. A message that is wrong in itself
(malformed JSON) is replayed with ``--fix REF=FILE``, the corrected message read from FILE;
``--skip REF`` passes over one that is never to be applied. A replayed message keeps its key,
its headers (the ``dlq.*`` ones dropped, ``dlq.replayed`` added) and so its event id: a
consumer that did apply it drops it, one that parked it applies it now, and one that still
cannot parks it again, with its new error.

Replays are tracked by a consumer group per selection: ``aftersales-dlq-replay`` for the
whole topic, ``aftersales-dlq-replay.<consumer>`` with ``--consumer`` (only what that
consumer parked; the others' messages are left for their own replay). A message replayed
under both is sent twice, which the consumers' dedupe makes harmless.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from aiokafka import AIOKafkaConsumer, ConsumerRecord, TopicPartition

from .kafka import make_producer

REPLAY_GROUP = "aftersales-dlq-replay"
_DLQ_HEADER_PREFIX = "dlq."


@dataclass(frozen=True)
class Parked:
    """One message in a DLQ topic, with what its ``dlq.*`` headers say."""

    partition: int
    offset: int
    key: bytes | None
    value: bytes | None
    headers: tuple[tuple[str, bytes], ...]

    @property
    def ref(self) -> str:
        """``<partition>:<offset>``: how ``--fix`` and ``--skip`` name it."""
        return f"{self.partition}:{self.offset}"

    def header(self, name: str) -> str | None:
        for key, value in self.headers:
            if key == name:
                return value.decode(errors="replace")
        return None

    @property
    def consumer(self) -> str | None:
        return self.header("dlq.consumer")

    @property
    def event(self) -> tuple[str | None, str | None]:
        """The event's type and id, where the message says (its JSON may be what is wrong)."""
        event_type = self.header("event_type") or self.header("ce_type")
        try:
            body = json.loads(self.value or b"")
        except ValueError:
            return event_type, None
        if not isinstance(body, dict):
            return event_type, None
        return (str(body["type"]) if "type" in body else event_type), (str(body["id"]) if "id" in body else None)

    def summary(self) -> dict[str, Any]:
        event_type, event_id = self.event
        return {
            "ref": self.ref,
            "consumer": self.consumer,
            "error_type": self.header("dlq.error.type"),
            "error": self.header("dlq.error.message"),
            "original": f"{self.header('dlq.original.topic')}[{self.header('dlq.original.partition')}]"
            f"@{self.header('dlq.original.offset')}",
            "failed_at": self.header("dlq.failed_at"),
            "event_type": event_type,
            "event_id": event_id,
            "key": (self.key or b"").decode(errors="replace"),
        }


@dataclass(frozen=True)
class Replayed:
    replayed: int
    """Messages re-published (corrected ones included)."""
    fixed: int
    """Of those, how many went out corrected (``--fix``)."""
    skipped: int
    """Passed over on purpose (``--skip``)."""


def replay_group(consumer: str | None) -> str:
    return REPLAY_GROUP if consumer is None else f"{REPLAY_GROUP}.{consumer}"


class _Reader:
    """The DLQ topic from where the replay group left off until it stays quiet for
    ``idle_timeout`` (the end offsets some brokers report, Tansu among them, can be short of
    a multi-record batch's last message: reading to quiet does not depend on them)."""

    def __init__(self, bootstrap_servers: str, dlq_topic: str, consumer: str | None, idle_timeout: float) -> None:
        self.topic = dlq_topic
        self.consumer = consumer
        self.idle_timeout = idle_timeout
        self.kafka = AIOKafkaConsumer(
            bootstrap_servers=bootstrap_servers,
            group_id=replay_group(consumer),
            enable_auto_commit=False,
            auto_offset_reset="earliest",
        )
        self.partitions: list[TopicPartition] = []
        self.read_to: dict[TopicPartition, int] = {}

    async def __aenter__(self) -> _Reader:
        await self.kafka.start()
        await self.kafka.topics()  # metadata of every topic: the DLQ's partitions
        self.partitions = [
            TopicPartition(self.topic, p) for p in sorted(self.kafka.partitions_for_topic(self.topic) or ())
        ]
        if self.partitions:
            self.kafka.assign(self.partitions)
            for tp in self.partitions:
                committed = await self.kafka.committed(tp)
                if committed is None:
                    await self.kafka.seek_to_beginning(tp)
                else:
                    self.kafka.seek(tp, committed)
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.kafka.stop()

    async def read(self) -> list[Parked]:
        """Every message from there on, in partition and offset order (others' included)."""
        found: list[Parked] = []
        while self.partitions:
            batches: dict[TopicPartition, list[ConsumerRecord[bytes, bytes]]] = await self.kafka.getmany(
                *self.partitions, timeout_ms=int(self.idle_timeout * 1000)
            )
            if not any(batches.values()):
                break
            for tp, records in batches.items():
                found += [Parked(r.partition, r.offset, r.key, r.value, tuple(r.headers or ())) for r in records]
                if records:
                    self.read_to[tp] = records[-1].offset + 1
        found.sort(key=lambda p: (p.partition, p.offset))
        return found

    def selected(self, messages: list[Parked]) -> list[Parked]:
        return [m for m in messages if self.consumer is None or m.consumer == self.consumer]

    async def commit(self) -> None:
        if self.read_to:
            await self.kafka.commit(dict(self.read_to))


async def parked(
    bootstrap_servers: str, dlq_topic: str, *, consumer: str | None = None, idle_timeout: float = 1.0
) -> list[Parked]:
    """The messages of ``dlq_topic`` not replayed yet (those ``consumer`` parked, when given)."""
    async with _Reader(bootstrap_servers, dlq_topic, consumer, idle_timeout) as reader:
        return reader.selected(await reader.read())


async def replay(
    bootstrap_servers: str,
    dlq_topic: str,
    *,
    consumer: str | None = None,
    fixes: Mapping[str, bytes] | None = None,
    skip: Collection[str] = (),
    idle_timeout: float = 1.0,
) -> Replayed:
    """Re-publishes every unreplayed message of ``dlq_topic`` (that ``consumer`` parked, when
    given) to its original topic: ``fixes`` (ref → corrected value) in place of the parked
    value, ``skip`` (refs) not at all. Unknown refs are refused before anything is sent."""
    fixes = dict(fixes or {})
    async with _Reader(bootstrap_servers, dlq_topic, consumer, idle_timeout) as reader:
        messages = reader.selected(await reader.read())
        unknown = (set(fixes) | set(skip)) - {m.ref for m in messages}
        if unknown:
            raise ValueError(f"not parked in {dlq_topic} (or replayed already): {', '.join(sorted(unknown))}")
        producer = make_producer(bootstrap_servers, "aftersales-dlq-replay")
        await producer.start()
        replayed = fixed = skipped = 0
        try:
            for message in messages:
                if message.ref in skip:
                    skipped += 1
                    continue
                target = message.header("dlq.original.topic") or dlq_topic.removesuffix(".dlq")
                kept = [(k, v) for k, v in message.headers if not k.startswith(_DLQ_HEADER_PREFIX)]
                value = fixes.get(message.ref, message.value)
                fixed += message.ref in fixes
                headers = [*kept, ("dlq.replayed", b"1")]
                await producer.send_and_wait(target, value=value, key=message.key, headers=headers)
                replayed += 1
        finally:
            await producer.stop()
        await reader.commit()  # after every send: a failed replay is run again, not lost
    return Replayed(replayed, fixed, skipped)


def _fix(text: str) -> tuple[str, bytes]:
    ref, sep, path = text.partition("=")
    if not sep or not path:
        raise argparse.ArgumentTypeError(f"--fix takes PARTITION:OFFSET=FILE, not {text!r}")
    return ref, Path(path).read_bytes()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m aftersales_events.dlq")
    sub = parser.add_subparsers(dest="command", required=True)
    commands = {
        "list": sub.add_parser("list", help="show the parked messages not replayed yet, with their errors"),
        "replay": sub.add_parser("replay", help="re-publish parked messages to their original topic"),
    }
    for command in commands.values():
        command.add_argument("--bootstrap", default=os.environ.get("KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:9092"))
        command.add_argument("--topic", required=True, help="the DLQ topic, e.g. returns.events.dlq")
        command.add_argument("--consumer", default=None, help="only what this consumer group parked")
    commands["list"].add_argument("--json", action="store_true", help="one JSON object per line")
    commands["replay"].add_argument(
        "--fix", type=_fix, action="append", default=[], metavar="P:O=FILE", help="replay P:O with FILE's bytes"
    )
    commands["replay"].add_argument("--skip", action="append", default=[], metavar="P:O", help="never replay P:O")
    args = parser.parse_args(argv)
    if args.command == "list":
        found = asyncio.run(parked(args.bootstrap, args.topic, consumer=args.consumer))
        for message in found:
            summary = message.summary()
            if args.json:
                sys.stdout.write(json.dumps(summary, ensure_ascii=False) + "\n")
            else:
                sys.stdout.write(
                    f"{summary['ref']} {summary['consumer']} {summary['event_type']} {summary['event_id']}: "
                    f"{summary['error_type']}: {summary['error']}\n"
                )
        if not args.json:
            sys.stdout.write(f"{len(found)} parked message(s) in {args.topic}\n")
        return 0
    try:
        result = asyncio.run(
            replay(args.bootstrap, args.topic, consumer=args.consumer, fixes=dict(args.fix), skip=set(args.skip))
        )
    except ValueError as refused:
        sys.stderr.write(f"{refused}\n")
        return 2
    sys.stdout.write(
        f"replayed {result.replayed} message(s) from {args.topic} "
        f"({result.fixed} corrected, {result.skipped} skipped)\n"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
