"""Events are CloudEvents to a strict consumer (issue 17 item 15): each record the relay
publishes is read by the official CloudEvents SDK's Kafka binding, as an external finance
system would read the topics, through the real broker."""

from __future__ import annotations

from aiokafka import AIOKafkaProducer
from cloudevents.core.bindings import kafka as binding

from aftersales_events import OutboxRelay, correlation_scope, record_event

from .kit import EventsDb, create_topics, now, read_topic, thing_type, unique_producer


def _message(record: object) -> binding.KafkaMessage:
    headers = dict(getattr(record, "headers", ()) or ())
    return binding.KafkaMessage(headers=headers, key=getattr(record, "key", None), value=getattr(record, "value", b""))


async def test_every_record_reads_as_a_structured_cloudevent_with_the_official_sdk(
    events_db: EventsDb, producer: AIOKafkaProducer, kafka_bootstrap: str
) -> None:
    name = unique_producer()
    topic = f"{name}.events"
    await create_topics(kafka_bootstrap, topic)
    thing = thing_type(name)
    async with events_db.sessionmaker() as session, session.begin():
        with correlation_scope("corr-ce"):
            sent = [
                await record_event(session, thing(thing_id=f"t-{i}", quantity=i), subject=f"t-{i}", at=now())
                for i in range(3)
            ]
    assert await OutboxRelay(events_db.sessionmaker, producer, service="test").drain() == 3

    records = await read_topic(kafka_bootstrap, topic)
    by_id = {str(envelope.id): envelope for envelope in sent}
    assert len(records) == 3
    for record in records:
        message = _message(record)
        assert message.headers["content-type"].startswith(b"application/cloudevents+json")
        # The SDK tells the modes apart itself: structured here, as the content-type says.
        event = binding.from_kafka_event(message)
        assert event.get_attributes() == binding.from_structured_event(message).get_attributes()
        envelope = by_id[event.get_id()]
        assert event.get_specversion() == "1.0"
        assert event.get_type() == f"aftersales.{name}.Thing.v1"
        assert event.get_source() == f"/aftersales/{name}"
        assert event.get_subject() == envelope.subject
        assert event.get_time() == envelope.time
        assert event.get_datacontenttype() == "application/json"
        assert event.get_extension("correlationid") == "corr-ce"
        assert event.get_extension("partitionkey") == envelope.subject  # the record's key
        assert event.get_data() == envelope.data
