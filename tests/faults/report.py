"""Write the figures table of ``docs/reliability.md`` from the last full ``make faults`` run.

Only full-size lines count (``"full": true``); the latest line per scenario wins. The
table is written between the two markers of the document, with the date and commit.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

from .figures import FIGURES_FILE

DOC = Path("docs/reliability.md")
BEGIN, END = "<!-- figures:begin -->", "<!-- figures:end -->"


def _latest_full(path: Path) -> dict[str, dict[str, object]]:
    latest: dict[str, dict[str, object]] = {}
    if path.exists():
        for raw in path.read_text(encoding="utf-8").splitlines():
            line = json.loads(raw)
            if line.get("full"):
                latest[str(line["scenario"])] = line
    return latest


def _scenario_order(name: str) -> tuple[int, str]:
    number = name.split(" ", 1)[0]
    return (int(number) if number.isdigit() else 99, name)


def table(latest: dict[str, dict[str, object]]) -> str:
    rows = [
        "| scenario | what was done | sent | lost | doubled | refused | errored | further figures |",
        "|---|---|---:|---:|---:|---:|---:|---|",
    ]
    for name in sorted(latest, key=_scenario_order):
        line = latest[name]
        extra = line.get("extra") or {}
        assert isinstance(extra, dict)
        further = ", ".join(f"{key} {value}" for key, value in extra.items())
        rows.append(
            f"| {name} | {line['done']} | {line['sent']} | {line['lost']} | {line['doubled']} "
            f"| {line['refused']} | {line['errored']} | {further} |"
        )
    return "\n".join(rows)


def main() -> int:
    latest = _latest_full(FIGURES_FILE)
    if not latest:
        print(f"no full-size figures in {FIGURES_FILE}: run `make faults` first", file=sys.stderr)
        return 1
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=False
    ).stdout.strip()
    stamp = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    block = f"{BEGIN}\nFrom `make faults` on {stamp}, commit `{commit}`.\n\n{table(latest)}\n{END}"
    text = DOC.read_text(encoding="utf-8")
    head, _, rest = text.partition(BEGIN)
    _, _, tail = rest.partition(END)
    DOC.write_text(head + block + tail, encoding="utf-8")
    print(f"wrote {len(latest)} scenarios into {DOC}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
