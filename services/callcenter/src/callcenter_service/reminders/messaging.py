"""The messaging port: chat and SMS to customers. Reminders are service messages, not
marketing. The fake adapter keeps what it was asked to send (dev and test only)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

Channel = Literal["chat", "sms"]


@dataclass(frozen=True)
class Message:
    channel: Channel
    to: str
    text: str
    key: str  # idempotency key: (order, step); a provider sends a key once
    category: str = "service"  # never "marketing": reminders are service messages (§10)


class MessagingPort(Protocol):
    async def send(self, message: Message) -> str: ...


@dataclass
class FakeMessaging:
    sent: list[Message] = field(default_factory=list)

    async def send(self, message: Message) -> str:
        if not any(m.key == message.key for m in self.sent):
            self.sent.append(message)
        return f"fake-{message.key}"


class MessagingExtension:
    """Puts the messaging adapter on the app; the fake one is refused outside dev and test."""

    def routers(self) -> list[Any]:
        return []

    async def start(self, app: Any) -> None:
        if app.state.settings.environment not in ("dev", "test"):
            raise RuntimeError(
                "CALLCENTER: only the fake messaging adapter exists; it sends nothing and runs only where "
                "CALLCENTER_ENVIRONMENT is dev or test. Add a real adapter in "
                "callcenter_service/reminders/messaging.py."
            )
        app.state.messaging = FakeMessaging()

    async def stop(self, app: Any) -> None:
        return None
