"""What ``make run`` does when a service dies: start it again after a pause that doubles
with each recent crash, and give up (stopping the whole stack) only when it keeps crashing.

One service failing (a bug hit by a request, an import error saved in an editor, the OOM
killer) used to take the other four, the database and the broker down with it, and the
developer lost the state of every terminal that was talking to them. A crash loop is
different: restarting a service that dies at once hides the error in a scrolling log, so
after ``max_crashes`` crashes within ``window`` seconds the supervisor stops and says why.

Time is passed in (``now``, monotonic seconds), so a test drives it; the child is real.
"""

from __future__ import annotations

import logging
import subprocess
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

_logger = logging.getLogger("aftersales_devstack")


@dataclass(frozen=True)
class RestartPolicy:
    """1 s, 2 s, 4 s, ... up to 30 s between a crash and the restart; 5 crashes in 60 s stop all."""

    first_delay: float = 1.0
    max_delay: float = 30.0
    max_crashes: int = 5
    window: float = 60.0

    def delay(self, recent_crashes: int) -> float:
        doubled: float = self.first_delay * 2.0 ** max(recent_crashes - 1, 0)
        return min(doubled, self.max_delay)


class KeepsCrashing(RuntimeError):
    """A service crashed ``max_crashes`` times within the window: the stack stops."""


class Supervised:
    """One service process the supervisor keeps running."""

    def __init__(
        self,
        name: str,
        start: Callable[[], subprocess.Popen[bytes]],
        policy: RestartPolicy,
        *,
        process: subprocess.Popen[bytes] | None = None,
    ) -> None:
        self.name = name
        self._start = start
        self.policy = policy
        self.process = process if process is not None else start()
        self.crashes: deque[float] = deque()
        self.restart_at: float | None = None
        self.restarts = 0

    def tick(self, now: float) -> None:
        """Notices a crash (and schedules the restart) or restarts when the pause is over.
        Raises :class:`KeepsCrashing` when the crash is one too many."""
        if self.restart_at is not None:
            if now >= self.restart_at:
                self.restart_at = None
                self.restarts += 1
                self.process = self._start()
                _logger.warning(
                    "devstack.service.restarted service=%s pid=%s restarts=%s",
                    self.name,
                    self.process.pid,
                    self.restarts,
                )
            return
        code = self.process.poll()
        if code is None:
            return
        self.crashes.append(now)
        while self.crashes and self.crashes[0] <= now - self.policy.window:
            self.crashes.popleft()
        recent = len(self.crashes)
        if recent >= self.policy.max_crashes:
            raise KeepsCrashing(
                f"{self.name} exited with code {code}: {recent} crashes within "
                f"{self.policy.window:.0f}s, not restarting it"
            )
        delay = self.policy.delay(recent)
        self.restart_at = now + delay
        _logger.warning(
            "devstack.service.crashed service=%s code=%s restart_in=%.1fs crashes=%s/%s within %.0fs",
            self.name,
            code,
            delay,
            recent,
            self.policy.max_crashes,
            self.policy.window,
        )
