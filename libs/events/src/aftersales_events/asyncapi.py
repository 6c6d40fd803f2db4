"""An AsyncAPI 3.0 document generated from the catalogue: `make asyncapi`."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from .catalogue import CATALOGUE, dlq_topic_for
from .envelope import EventEnvelope

# The Kafka headers the relay sets on every record (relay.py).
RECORD_HEADERS: dict[str, Any] = {
    "type": "object",
    "description": "CloudEvents Kafka binding, structured mode: no ce_ headers (those are binary mode's).",
    "properties": {
        "content-type": {"const": "application/cloudevents+json; charset=UTF-8"},
        "event_type": {
            "type": "string",
            "description": "The event's type, so a consumer skips unparsed what it ignores.",
        },
        "correlation_id": {"type": "string", "description": "The event's correlationid."},
    },
    "required": ["content-type", "event_type", "correlation_id"],
}


def build_document() -> dict[str, Any]:
    channels: dict[str, Any] = {}
    operations: dict[str, Any] = {}
    messages: dict[str, Any] = {}
    schemas: dict[str, Any] = {"EventEnvelope": EventEnvelope.model_json_schema(), "RecordHeaders": RECORD_HEADERS}
    for event_type, model in sorted(CATALOGUE.items()):
        # Producer first: several services publish a type of the same name (SlaBreached).
        name = f"{model.producer.title()}{model.event_name}V{model.version}"
        schemas[name] = model.model_json_schema(ref_template="#/components/schemas/{model}")
        for nested_name, nested in schemas[name].pop("$defs", {}).items():
            schemas.setdefault(nested_name, nested)
        step = f" Step {model.process_step}." if model.process_step else ""
        messages[name] = {
            "name": event_type,
            "title": model.event_name,
            "summary": model.summary + step,
            "contentType": "application/cloudevents+json",
            "headers": {"$ref": "#/components/schemas/RecordHeaders"},
            "payload": {"$ref": f"#/components/schemas/{name}"},
            "x-step": model.process_step,
        }
        topic = model.topic()
        channel = channels.setdefault(
            topic.replace(".", "_"),
            {
                "address": topic,
                "description": f"Events of the {model.producer} service; key = aggregate id. "
                f"Dead letters go to {dlq_topic_for(topic)}.",
                "messages": {},
            },
        )
        channel["messages"][name] = {"$ref": f"#/components/messages/{name}"}
    for channel_id, channel in channels.items():
        operations[f"publish_{channel_id}"] = {
            "action": "send",
            "channel": {"$ref": f"#/channels/{channel_id}"},
            "messages": [{"$ref": f"#/channels/{channel_id}/messages/{m}"} for m in channel["messages"]],
        }
    return {
        "asyncapi": "3.0.0",
        "info": {
            "title": "After-sales platform events",
            "version": "1.0.0",
            "description": "CloudEvents 1.0 with correlationid/causationid extensions, in the Kafka "
            "protocol binding's structured content mode: the record's value is the event in the JSON "
            "event format (an EventEnvelope whose data is the message's payload), its content-type "
            "header application/cloudevents+json, and its key the subject (the aggregate id). "
            "Consumers ignore unknown types and fields.",
        },
        "defaultContentType": "application/cloudevents+json",
        "channels": channels,
        "operations": operations,
        "components": {"messages": messages, "schemas": schemas},
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m aftersales_events.asyncapi")
    parser.add_argument("--output", type=Path, default=Path("docs/asyncapi.json"))
    args = parser.parse_args(argv)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(build_document(), indent=2, ensure_ascii=False) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
