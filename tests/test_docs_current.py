"""Generated documents in git must match what the code generates (`make asyncapi`)."""

import json
from pathlib import Path

from aftersales_events.asyncapi import build_document

ROOT = Path(__file__).resolve().parents[1]


def test_checked_in_asyncapi_matches_the_catalogue() -> None:
    checked_in = json.loads((ROOT / "docs" / "asyncapi.json").read_text())
    assert checked_in == json.loads(json.dumps(build_document())), "run `make asyncapi` and commit the result"


def test_checked_in_sla_tables_match_the_policies() -> None:
    from aftersales_events.services import SERVICE_NAMES
    from aftersales_sla.docs import policy_book, render

    for service in SERVICE_NAMES:
        checked_in = (ROOT / "docs" / "sla" / f"{service}.md").read_text()
        assert checked_in == render(policy_book(service)), f"docs/sla/{service}.md is stale: run `make docs`"
