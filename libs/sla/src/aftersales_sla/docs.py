"""Each service's SLA table, generated from the policies the code enforces: `make docs`."""

from __future__ import annotations

import argparse
import importlib
from pathlib import Path

from aftersales_events.services import SERVICE_NAMES

from .policy import PolicyBook

HEADER = "| step | what | who | duration | time kind | warn before | starts | stops | paused while | source |"


def policy_book(service: str) -> PolicyBook:
    module = importlib.import_module(f"{service}_service.sla")
    book: PolicyBook = module.POLICIES
    return book


def render(book: PolicyBook) -> str:
    lines = [
        f"# SLA policies of the {book.service} service",
        "",
        f"Generated from `services/{book.service}/src/{book.service}_service/sla.py` by `make docs`; a test fails when "
        "this file and the code disagree. Working time follows the business calendar "
        "(Asia/Shanghai, Mon–Fri 09:00–18:00, Chinese statutory holidays and make-up working days, "
        "plus operator overrides).",
        "",
        "These are the **defaults**. A supervisor changes a step's duration, kind of time (wall clock or "
        "business time) and warning lead at run time, without a deploy: `PUT /sla/policies/{step}` "
        "(back to the default: `POST /sla/policies/{step}/reset`). Each change is stored and audited "
        "(`GET /sla/policies/{step}/changes`); `GET /sla/policies` shows the rule in force beside the default. "
        "A change applies to clocks started after it; a running clock keeps the rule it started with.",
        "",
    ]
    if not len(book):
        return "\n".join([*lines, "This service enforces no timed step yet.", ""])
    lines += [HEADER, "|---" * (HEADER.count("|") - 1) + "|"]
    for p in book:
        kind = "wall clock" if p.duration.kind == "wall" else "business time"
        lines.append(
            f"| {p.step} | {p.title} | {p.role} | {p.duration.describe()} | {kind} | {p.warn_before.describe()} "
            f"| {p.starts} | {p.stops} | {p.pauses} | {p.source} |"
        )
    return "\n".join([*lines, ""])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m aftersales_sla.docs")
    parser.add_argument("--output", type=Path, default=Path("docs/sla"))
    args = parser.parse_args(argv)
    args.output.mkdir(parents=True, exist_ok=True)
    for service in SERVICE_NAMES:
        (args.output / f"{service}.md").write_text(render(policy_book(service)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
