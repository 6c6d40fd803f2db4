"""The AsyncAPI document is generated from the catalogue and lists every event type."""

from __future__ import annotations

import json
from pathlib import Path

from aftersales_events import CATALOGUE, EventPayload, event
from aftersales_events.asyncapi import build_document, main


def test_document_lists_every_catalogue_type() -> None:
    assert CATALOGUE, "the catalogue registers its types on import"
    document = build_document()
    assert document["asyncapi"] == "3.0.0"
    messages = document["components"]["messages"]
    schemas = document["components"]["schemas"]
    by_type = {message["name"]: message for message in messages.values()}
    assert set(by_type) == set(CATALOGUE)
    addresses = {channel["address"] for channel in document["channels"].values()}
    for event_type, model in CATALOGUE.items():
        message = by_type[event_type]
        schema_name = message["payload"]["$ref"].rsplit("/", 1)[-1]
        assert set(schemas[schema_name]["properties"]) == set(model.model_fields)
        assert model.topic() in addresses
        channel = document["channels"][model.topic().replace(".", "_")]
        assert any(ref["$ref"].endswith(schema_name) for ref in channel["messages"].values())
    # Nested models' schemas are hoisted, so every $ref resolves inside the document.
    text = json.dumps(document)
    for ref in {part.split('"')[0] for part in text.split('"$ref": "#/components/schemas/')[1:]}:
        assert ref in schemas, ref
    for operation in document["operations"].values():
        assert operation["action"] == "send"


def test_a_newly_registered_type_appears() -> None:
    @event("testsvc", "Thing", version=2, step="A1")
    class Thing(EventPayload):
        """A test thing happened."""

        thing_id: str

    try:
        document = build_document()
    finally:
        # Registered for this test only: other tests see the real catalogue.
        CATALOGUE.pop(Thing.event_type())
    message = document["components"]["messages"]["TestsvcThingV2"]
    assert message["name"] == "aftersales.testsvc.Thing.v2"
    assert message["summary"] == "A test thing happened. Step A1."
    assert message["x-step"] == "A1"
    assert document["channels"]["testsvc_events"]["address"] == "testsvc.events"
    assert "testsvc.events.dlq" in document["channels"]["testsvc_events"]["description"]
    assert "aftersales.testsvc.Thing.v2" not in CATALOGUE


def test_cli_writes_the_document(tmp_path: Path) -> None:
    output = tmp_path / "asyncapi.json"
    assert main(["--output", str(output)]) == 0
    assert json.loads(output.read_text()) == json.loads(json.dumps(build_document()))


def test_an_event_names_a_step_of_the_spec() -> None:
    import pytest

    with pytest.raises(ValueError, match=r"step '8' is not a step of PROCESSES\.md"):

        @event("testsvc", "Other", step="8", register=False)
        class Other(EventPayload):
            pass
