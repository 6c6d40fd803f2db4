"""The startup heap is frozen once a service has started (runtime.settle_heap), unless turned off,
and the youngest generation's threshold is the service's setting."""

from __future__ import annotations

import gc
import uuid
import weakref
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from aftersales_chassis import ServiceSettings
from aftersales_chassis.runtime import settle_heap
from aftersales_chassis.testing import kept_logging

from .kit import build_app


@contextmanager
def _unfrozen() -> Iterator[None]:
    """Starts from an unfrozen heap (other tests' apps froze it) with CPython's thresholds, and
    leaves the process with the thresholds it had."""
    thresholds = gc.get_threshold()
    gc.unfreeze()
    gc.set_threshold(700, *thresholds[1:])
    try:
        with kept_logging():
            yield
    finally:
        gc.unfreeze()
        gc.set_threshold(*thresholds)


class _Node:
    link: object = None


def test_settle_heap_collects_startup_garbage_and_puts_the_rest_out_of_the_collectors_reach() -> None:
    with _unfrozen():
        garbage = _Node()
        garbage.link = garbage  # a cycle: only the collector frees it
        freed = weakref.ref(garbage)
        del garbage
        kept = _Node()
        frozen = settle_heap()
        assert freed() is None
        assert frozen == gc.get_freeze_count() > 0
        # Frozen objects are in no generation: collections no longer walk them.
        assert all(o is not kept for o in gc.get_objects())
        assert gc.get_threshold()[0] == 700  # not asked to change it


def test_settle_heap_sets_the_youngest_generations_threshold_and_keeps_the_others() -> None:
    with _unfrozen():
        middle_and_oldest = gc.get_threshold()[1:]
        settle_heap(young_threshold=50_000)
        assert gc.get_threshold() == (50_000, *middle_and_oldest)


@pytest.mark.parametrize(("freeze", "young"), [(True, 50_000), (True, 0), (False, 50_000)])
async def test_the_started_service_freezes_its_heap_and_sets_the_young_threshold_unless_told_not_to(
    freeze: bool, young: int, chassis_db_url: str, kafka_bootstrap: str, jwt_secret: str
) -> None:
    settings = ServiceSettings(
        database_url=chassis_db_url, kafka_bootstrap_servers=kafka_bootstrap, jwt_secret=jwt_secret,
        log_json=False, gc_freeze_after_startup=freeze, gc_young_threshold=young,
    )  # fmt: skip
    app = build_app(f"chassis{uuid.uuid4().hex[:8]}", settings)
    with _unfrozen():
        async with app.router.lifespan_context(app):
            assert (gc.get_freeze_count() > 0) is freeze
            # Tuned with the freeze, after startup; 0 keeps CPython's 700.
            assert gc.get_threshold()[0] == (young if freeze and young else 700)
