"""The payment port: how refunds leave the shop (online refund, dispute, transfer).

The marketplace's and the bank's APIs lie outside the platform; production plugs a real
adapter in here (into ``ADAPTERS``) and selects it with ``RETURNS_PAYMENT_ADAPTER``. The
fake adapter is deterministic and, like real providers, idempotent by refund id (a
redelivered RefundApproved never pays twice); it pays nothing out, so it is refused at
start-up unless ``RETURNS_ENVIRONMENT`` is dev or test.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol


@dataclass(frozen=True)
class RefundRequest:
    refund_id: uuid.UUID
    order_id: str
    amount_minor: int
    currency: str
    method: str


class PaymentError(Exception):
    """The provider refused or failed; the consumer retries, then parks it in the DLQ."""


class PaymentPort(Protocol):
    async def refund(self, request: RefundRequest) -> str:
        """Pays the refund out; returns the provider's reference. Idempotent by refund id."""
        ...


class FakePaymentGateway:
    def __init__(self) -> None:
        self.paid: dict[uuid.UUID, RefundRequest] = {}
        self.fail_next = 0

    async def refund(self, request: RefundRequest) -> str:
        if self.fail_next > 0:
            self.fail_next -= 1
            raise PaymentError("provider unavailable (simulated)")
        self.paid.setdefault(request.refund_id, request)
        return f"FAKE-{request.method.upper()}-{request.refund_id.hex[:12]}"


# The adapters ``payment_adapter`` may name, and those that only stand in for a provider.
ADAPTERS: dict[str, Callable[[], PaymentPort]] = {"fake": FakePaymentGateway}
TEST_DOUBLES = frozenset({"fake"})
SAFE_FOR_TEST_DOUBLES = frozenset({"dev", "test"})


class PaymentAdapterRefused(ValueError):
    """The configured adapter must not run where the service runs."""


def refuse_unsafe_adapter(adapter: str, environment: str, *, prefix: str = "RETURNS_") -> None:
    """Raises unless ``adapter`` is known and, when it is a test double, ``environment`` is dev or test."""
    if adapter not in ADAPTERS:
        raise PaymentAdapterRefused(
            f"{prefix}PAYMENT_ADAPTER={adapter} is not a payment adapter; known: {', '.join(sorted(ADAPTERS))}"
        )
    if adapter in TEST_DOUBLES and environment not in SAFE_FOR_TEST_DOUBLES:
        raise PaymentAdapterRefused(
            f"{prefix}PAYMENT_ADAPTER={adapter} pays no refund out and is refused when "
            f"{prefix}ENVIRONMENT={environment}: it runs only where {prefix}ENVIRONMENT is "
            f"{' or '.join(sorted(SAFE_FOR_TEST_DOUBLES))}. Set {prefix}PAYMENT_ADAPTER to a real adapter "
            "(added to ADAPTERS in returns_service/payments.py), or the environment if this is not production."
        )


class PaymentsExtension:
    """Puts the adapter the settings name on the app, refusing a test double outside dev and test."""

    def routers(self) -> list[Any]:
        return []

    async def start(self, app: Any) -> None:
        settings = app.state.settings
        # The settings refuse it when they load; checked again for settings built without validation.
        refuse_unsafe_adapter(settings.payment_adapter, settings.environment)
        app.state.payments = ADAPTERS[settings.payment_adapter]()

    async def stop(self, app: Any) -> None:
        return None
