"""Generated documents in git must match what the code generates (`make asyncapi`)."""

import json
from pathlib import Path

from aftersales_events.asyncapi import build_document

ROOT = Path(__file__).resolve().parents[1]


def test_checked_in_asyncapi_matches_the_catalogue() -> None:
    checked_in = json.loads((ROOT / "docs" / "asyncapi.json").read_text())
    assert checked_in == json.loads(json.dumps(build_document())), "run `make asyncapi` and commit the result"
