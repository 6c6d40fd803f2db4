"""Typed domain errors; each maps once to an RFC 9457 problem (see problem_handlers.py)."""

from __future__ import annotations

from typing import Any, ClassVar


class DomainError(Exception):
    status: ClassVar[int] = 400
    code: ClassVar[str] = "bad-request"
    title: ClassVar[str] = "Bad request"

    def __init__(self, detail: str, **extensions: Any) -> None:
        super().__init__(detail)
        self.detail = detail
        self.extensions = extensions


class NotFound(DomainError):
    status = 404
    code = "not-found"
    title = "Resource not found"


class Conflict(DomainError):
    status = 409
    code = "conflict"
    title = "Conflict with the current state"


class InvalidTransition(Conflict):
    """An action the state machine does not allow now: says the state and what is allowed."""

    code = "invalid-transition"
    title = "Action not allowed in the current state"

    def __init__(
        self,
        action: str,
        current_state: str,
        allowed_actions: list[str],
        *,
        resource: str = "resource",
        **extensions: Any,
    ) -> None:
        # Extensions a caller adds (``rule``) are dropped when None, so the problem stays lean.
        super().__init__(
            f"'{action}' is not allowed while the {resource} is '{current_state}'",
            action=action,
            current_state=current_state,
            allowed_actions=allowed_actions,
            **{name: value for name, value in extensions.items() if value is not None},
        )


class RuleViolation(DomainError):
    """A business rule of PROCESSES.md refused the request; ``rule`` names it."""

    status = 422
    code = "rule-violation"
    title = "Business rule violated"

    def __init__(self, rule: str, detail: str, **extensions: Any) -> None:
        super().__init__(detail, rule=rule, **extensions)


class Unauthenticated(DomainError):
    status = 401
    code = "unauthenticated"
    title = "Authentication required"


class Forbidden(DomainError):
    status = 403
    code = "forbidden"
    title = "Not allowed for your role"


class IdempotencyKeyReused(DomainError):
    status = 422
    code = "idempotency-key-reused"
    title = "Idempotency-Key reused with a different request"
