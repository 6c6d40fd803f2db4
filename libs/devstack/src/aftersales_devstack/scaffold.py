"""Writes a new service, or a new feature of a service, in the one shape (ADR 0016).

    python -m aftersales_devstack.scaffold service NAME --port 8006 --summary "what it owns"
    python -m aftersales_devstack.scaffold feature SERVICE FEATURE --aggregate NAME --step C1

``service`` writes ``services/NAME`` (settings, policies, base, consumers, migrations env,
app, test fixtures, a health test) and registers the service in the one list of services,
the dev stack's ports and the workspace's pyproject. ``feature`` writes a feature package
with an example aggregate (its transition table, routes with roles, use cases, repository,
schemas) and its tests, and adds its router to the service's ``main.py``. The templates are
``templates/`` beside this file; ``{{token}}`` is replaced, nothing else is interpreted.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Callable, Mapping
from pathlib import Path

from .stack import repo_root

TEMPLATES = Path(__file__).parent / "templates"
_NAME = re.compile(r"^[a-z][a-z0-9_]{1,30}$")
_TOKEN = re.compile(r"\{\{(\w+)\}\}")


class ScaffoldError(RuntimeError):
    """Something the caller asked for that cannot be written (exists already, bad name)."""


def camel(snake: str) -> str:
    return "".join(part.capitalize() for part in snake.split("_"))


def render(text: str, tokens: Mapping[str, str]) -> str:
    def value(match: re.Match[str]) -> str:
        if match.group(1) not in tokens:
            raise ScaffoldError(f"template token {match.group(0)} has no value")
        return tokens[match.group(1)]

    return _TOKEN.sub(value, text)


def write_tree(template: Path, target: Path, tokens: Mapping[str, str], names: Mapping[str, str]) -> list[Path]:
    """Every ``*.tmpl`` below ``template`` rendered into ``target``; ``names`` renames path parts
    (``__package__`` → ``tickets_service``). Refuses to overwrite anything."""
    planned: list[tuple[Path, Path]] = []
    for source in sorted(template.rglob("*.tmpl")):
        parts = [names.get(part, part) for part in source.relative_to(template).parts]
        parts[-1] = parts[-1].removesuffix(".tmpl")
        for placeholder, name in names.items():
            parts[-1] = parts[-1].replace(placeholder, name)
        planned.append((source, target.joinpath(*parts)))
    existing = [str(path) for _, path in planned if path.exists()]
    if existing:
        raise ScaffoldError(f"refusing to overwrite: {', '.join(existing)}")
    for source, path in planned:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(render(source.read_text(), tokens))
    return [path for _, path in planned]


def _insert(path: Path, pattern: str, replacement: str | Callable[[re.Match[str]], str], what: str) -> None:
    """One regex substitution in a registration file, or a clear error naming the file."""
    text = path.read_text()
    changed, count = re.subn(pattern, replacement, text, count=1, flags=re.M | re.S)
    if count != 1:
        raise ScaffoldError(f"could not {what} in {path}: add it by hand")
    path.write_text(changed)


def register_service(root: Path, name: str, port: int) -> None:
    services = root / "libs/events/src/aftersales_events/services.py"
    if re.search(rf'"{name}"', services.read_text()):
        raise ScaffoldError(f"{name} is already in {services}")
    _insert(services, r'(SERVICE_NAMES: tuple\[str, \.\.\.\] = \((?:"[a-z0-9_]+", )*"[a-z0-9_]+")\)', rf'\1, "{name}")',
            "add the service to SERVICE_NAMES")  # fmt: skip
    urls = root / "libs/devstack/src/aftersales_devstack/urls.py"
    if re.search(rf":\s*{port}\b", urls.read_text()):
        raise ScaffoldError(f"port {port} is taken in {urls}")
    _insert(urls, r"(PORTS: dict\[str, int\] = \{[^}]*?)\}", rf'\1, "{name}": {port}}}', "add the port to PORTS")
    pyproject = root / "pyproject.toml"
    _insert(pyproject, r'(\[project\].*?dependencies = \[\n(?:  "[^"]+",\n)*)', rf'\1  "aftersales-{name}",\n',
            "add the dependency")  # fmt: skip
    _insert(pyproject, r"(\[tool\.uv\.sources\]\n(?:[^\n]+\n)*)", rf"\1aftersales-{name} = {{ workspace = true }}\n",
            "add the workspace source")  # fmt: skip
    _insert(pyproject, r"(known-first-party = \[.*?)(\n\])", rf'\1 "{name}_service",\2', "add the first-party package")


def new_service(root: Path, name: str, port: int, summary: str) -> list[Path]:
    if not _NAME.match(name):
        raise ScaffoldError(f"a service name is lower case letters, digits and _: {name!r}")
    package = f"{name}_service"
    tokens = {
        "name": name,
        "Name": camel(name),
        "NAME": name.upper(),
        "Title": name.replace("_", " ").capitalize(),
        "package": package,
        "summary": summary,
        "Summary": summary[:1].upper() + summary[1:],
    }
    written = write_tree(TEMPLATES / "service", root / "services" / name, tokens, {"__package__": package})
    register_service(root, name, port)
    return written


def new_feature(root: Path, service: str, feature: str, aggregate: str, step: str, summary: str) -> list[Path]:
    for value in (feature, aggregate):
        if not _NAME.match(value):
            raise ScaffoldError(f"a feature or aggregate name is lower case letters, digits and _: {value!r}")
    package = f"{service}_service"
    service_dir = root / "services" / service
    source = service_dir / "src" / package
    if not source.is_dir():
        raise ScaffoldError(f"no service {service} at {source} (write it first: scaffold service {service})")
    tokens = {
        "package": package,
        "feature": feature,
        "Aggregate": camel(aggregate),
        "aggregate": aggregate,
        "AGGREGATE": aggregate.upper(),
        "Aggregates": camel(feature),
        "aggregates": feature.replace("_", " "),
        "aggregate_words": aggregate.replace("_", " "),
        "plural": feature,
        "path": feature.replace("_", "-"),
        "table": feature,
        "step": step,
        "summary": summary,
    }
    names = {"__package__": package, "__feature__": feature}
    template = TEMPLATES / "feature"
    written = write_tree(template / "src", service_dir / "src", tokens, names)
    written += write_tree(template / "tests", service_dir / "tests", tokens, names)
    main = source / "main.py"
    _insert(main, r"(\nfrom \.settings import)", rf"\nfrom .{feature}.api import router as {feature}_router\1",
            "import the feature's router")  # fmt: skip

    def append_router(match: re.Match[str]) -> str:
        present = match.group(1).strip().rstrip(",")
        return f"routers=[{present + ', ' if present else ''}{feature}_router]"

    _insert(main, r"routers=\[([^\]]*)\]", append_router, "add the feature's router to routers=[...]")
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m aftersales_devstack.scaffold", description=__doc__.split("\n")[0])
    parser.add_argument("--root", type=Path, default=None, help="the workspace (default: found from the cwd)")
    commands = parser.add_subparsers(dest="command", required=True)
    service = commands.add_parser("service", help="a new service in the one shape")
    service.add_argument("name")
    service.add_argument("--port", type=int, required=True)
    service.add_argument("--summary", default="what it owns (say it in main.py)")
    feature = commands.add_parser("feature", help="a new feature package of a service")
    feature.add_argument("service")
    feature.add_argument("feature", help="the package and route name, plural: complaints")
    feature.add_argument("--aggregate", required=True, help="the aggregate, singular: complaint")
    feature.add_argument("--step", required=True, help="the PROCESSES.md step its example transitions name")
    feature.add_argument("--summary", default="what it does")
    args = parser.parse_args(argv)
    root = (args.root or repo_root()).resolve()
    try:
        if args.command == "service":
            written = new_service(root, args.name, args.port, args.summary)
            follow = ["make install", f"make test PYTEST_ARGS=services/{args.name}"]
        else:
            written = new_feature(root, args.service, args.feature, args.aggregate, args.step, args.summary)
            follow = [
                f"make revision SERVICE={args.service} MSG='{args.feature}'",
                f"make test PYTEST_ARGS=services/{args.service}",
            ]
    except ScaffoldError as error:
        sys.stderr.write(f"scaffold: {error}\n")
        return 2
    for path in written:
        sys.stdout.write(f"wrote {path.relative_to(root)}\n")
    sys.stdout.write("next: " + " && ".join(follow) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
