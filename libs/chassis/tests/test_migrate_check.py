"""``migrate check``: what a pod's init container waits on before a new version serves."""

from __future__ import annotations

from collections.abc import Callable

from aftersales_chassis.migrate import at_heads, main, wait_for_heads
from aftersales_devstack.stack import migrate


def test_check_fails_until_the_database_is_at_the_heads(service_database_url: Callable[..., str]) -> None:
    url = service_database_url("tickets", suffix="check", migrated=False)
    assert not at_heads("tickets", url)
    assert main(["tickets", "check", "--url", url]) == 1
    assert not wait_for_heads("tickets", url, wait=0.2, interval=0.1)
    migrate({"tickets": url})
    assert at_heads("tickets", url)
    assert main(["tickets", "check", "--url", url, "--wait", "5"]) == 0
