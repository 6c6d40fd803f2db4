"""Each service owns its code: no service imports another (they talk through events and HTTP),
and test support stays out of what ships."""

from __future__ import annotations

import ast

import pytest

from .source import ROOT, Service, imported, modules, services, top_level

SERVICES = services()
PACKAGES = {service.package for service in SERVICES}
# What ships: every library's and service's source except the libraries' test-support modules.
SHIPPED = [
    module
    for root in [*(ROOT / "libs").glob("*/src"), *(service.root / "src" for service in SERVICES)]
    for module in modules(root)
    if module.path.name != "testing.py"
]


@pytest.mark.parametrize("service", SERVICES, ids=lambda s: s.name)
def test_no_service_imports_another(service: Service) -> None:
    """Source, migrations and tests alike: a test of one service that imports another's code
    couples them as surely as the code would."""
    found = [
        f"{module.where}:{line}: imports {name}"
        for module in modules(service.root, migrations=True)
        for line, name in imported(module)
        if top_level(name) in PACKAGES - {service.package}
    ]
    assert found == [], "services talk through events and HTTP, never through each other's code:\n" + "\n".join(found)


def test_no_library_imports_a_service() -> None:
    found = [
        f"{module.where}:{line}: imports {name}"
        for module in modules(ROOT / "libs")
        if "tests" not in module.path.relative_to(ROOT / "libs").parts
        for line, name in imported(module)
        if top_level(name) in PACKAGES
    ]
    assert found == [], "libraries sit below the services:\n" + "\n".join(found)


def test_no_shipped_module_imports_test_support() -> None:
    """``aftersales_<lib>.testing`` (eventually, the per-test clock, broker records) is for
    tests; a service or library module importing it would ship test doubles to production."""
    assert len(SHIPPED) > 100
    found = [
        f"{module.where}:{line}: imports {name}"
        for module in SHIPPED
        for line, name in imported(module)
        if "testing" in name.lstrip(".").split(".")
    ]
    assert found == [], "test support imported by shipped code:\n" + "\n".join(found)


def test_no_shipped_module_uses_the_manual_clock() -> None:
    """A ManualClock stops time: in production code it freezes "now" wherever it leaks (the
    settlement job once built one). The chassis defines it for tests; nothing else ships it."""
    defined_in = {
        ROOT / "libs/chassis/src/aftersales_chassis/clock.py",
        ROOT / "libs/chassis/src/aftersales_chassis/__init__.py",
    }
    found = [
        f"{module.where}:{node.lineno}"
        for module in SHIPPED
        if module.path not in defined_in
        for node in ast.walk(module.tree)
        if (isinstance(node, ast.Name) and node.id == "ManualClock")
        or (isinstance(node, ast.Attribute) and node.attr == "ManualClock")
        or (isinstance(node, ast.alias) and node.name == "ManualClock")
    ]
    assert found == [], "a ManualClock in shipped code (use the clock the app or the job is given):\n" + "\n".join(
        found
    )
