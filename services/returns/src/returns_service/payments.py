"""The payment port: how refunds leave the shop (online refund, dispute, transfer).

The marketplace's and the bank's APIs lie outside the platform; production plugs a real
adapter in here. The fake adapter is deterministic and, like real providers, idempotent
by refund id (a redelivered RefundApproved never pays twice).
"""

from __future__ import annotations

import uuid
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


class PaymentsExtension:
    """Puts the payment adapter on the app (the fake one unless a real one is given)."""

    def __init__(self, port: PaymentPort | None = None) -> None:
        self.port = port

    def routers(self) -> list[Any]:
        return []

    async def start(self, app: Any) -> None:
        app.state.payments = self.port or FakePaymentGateway()

    async def stop(self, app: Any) -> None:
        return None
