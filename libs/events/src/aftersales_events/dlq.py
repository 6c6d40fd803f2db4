"""Replays dead-lettered messages to the topic they came from.

    python -m aftersales_events.dlq replay --bootstrap 127.0.0.1:9092 --topic returns.events.dlq

Replayed messages keep their event id, so a consumer that did apply one drops it.
The DLQ is read under its own consumer group, so each parked message is replayed once.
"""

from __future__ import annotations

import argparse
import asyncio
import sys

from aiokafka import AIOKafkaConsumer

from .kafka import make_producer

REPLAY_GROUP = "aftersales-dlq-replay"
_DLQ_HEADER_PREFIX = "dlq."


async def replay(bootstrap_servers: str, dlq_topic: str, *, idle_timeout: float = 2.0) -> int:
    """Re-publishes every unreplayed message of ``dlq_topic``; returns how many."""
    consumer = AIOKafkaConsumer(
        dlq_topic,
        bootstrap_servers=bootstrap_servers,
        group_id=REPLAY_GROUP,
        enable_auto_commit=False,
        auto_offset_reset="earliest",
    )
    producer = make_producer(bootstrap_servers, "aftersales-dlq-replay")
    await consumer.start()
    await producer.start()
    replayed = 0
    try:
        while True:
            batches = await consumer.getmany(timeout_ms=int(idle_timeout * 1000))
            if not batches:
                return replayed
            for tp, messages in batches.items():
                for message in messages:
                    headers = dict(message.headers or ())
                    target = headers.get("dlq.original.topic", b"").decode() or dlq_topic.removesuffix(".dlq")
                    kept = [(k, v) for k, v in (message.headers or ()) if not k.startswith(_DLQ_HEADER_PREFIX)]
                    await producer.send_and_wait(
                        target, value=message.value, key=message.key, headers=[*kept, ("dlq.replayed", b"1")]
                    )
                    replayed += 1
                await consumer.commit({tp: messages[-1].offset + 1})
    finally:
        await consumer.stop()
        await producer.stop()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m aftersales_events.dlq")
    sub = parser.add_subparsers(dest="command", required=True)
    replay_cmd = sub.add_parser("replay", help="re-publish a DLQ topic's messages to their original topic")
    replay_cmd.add_argument("--bootstrap", required=True)
    replay_cmd.add_argument("--topic", required=True, help="the DLQ topic, e.g. returns.events.dlq")
    args = parser.parse_args(argv)
    count = asyncio.run(replay(args.bootstrap, args.topic))
    sys.stdout.write(f"replayed {count} message(s) from {args.topic}\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
