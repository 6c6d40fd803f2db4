"""The payment adapter is a setting, and the fake one (it pays nothing out) is refused at
start-up unless the environment is dev or test; production is the default."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from pydantic import ValidationError

from aftersales_chassis import create_app
from returns_service.main import definition
from returns_service.payments import FakePaymentGateway, PaymentAdapterRefused, PaymentsExtension
from returns_service.settings import ReturnsSettings

REQUIRED = {"database_url": "postgresql://nobody@127.0.0.1:1/none", "jwt_secret": "not-for-the-log"}


@pytest.mark.parametrize("environment", ["dev", "test"])
def test_dev_and_test_run_on_the_fake_gateway(environment: str) -> None:
    settings = ReturnsSettings(environment=environment, **REQUIRED)  # type: ignore[arg-type]
    assert settings.payment_adapter == "fake"


def test_production_refuses_the_fake_gateway_naming_the_settings() -> None:
    with pytest.raises(ValidationError) as refused:
        ReturnsSettings(environment="production", payment_adapter="fake", **REQUIRED)  # type: ignore[arg-type]
    message = str(refused.value)
    assert "RETURNS_PAYMENT_ADAPTER=fake" in message
    assert "RETURNS_ENVIRONMENT=production" in message
    assert "not-for-the-log" not in message  # the start-up log quotes the refused value only


def test_an_unknown_adapter_is_refused_with_the_known_ones() -> None:
    with pytest.raises(ValidationError, match=r"RETURNS_PAYMENT_ADAPTER=alipay is not a payment adapter; known: fake"):
        ReturnsSettings(environment="dev", payment_adapter="alipay", **REQUIRED)  # type: ignore[arg-type]


async def test_a_service_started_without_an_environment_refuses_to_start(monkeypatch: pytest.MonkeyPatch) -> None:
    """As a deployment that sets only its URLs and secret would start it: refused before it
    connects to anything (the database URL here leads nowhere)."""
    for name in ("RETURNS_ENVIRONMENT", "RETURNS_PAYMENT_ADAPTER"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("RETURNS_DATABASE_URL", REQUIRED["database_url"])
    monkeypatch.setenv("RETURNS_JWT_SECRET", "s")
    app = create_app(definition)
    with pytest.raises(ValidationError, match="RETURNS_PAYMENT_ADAPTER=fake pays no refund out"):
        async with app.router.lifespan_context(app):
            pass


async def test_a_service_started_in_dev_gets_the_fake_gateway() -> None:
    app = SimpleNamespace(state=SimpleNamespace(settings=ReturnsSettings(environment="dev", **REQUIRED)))  # type: ignore[arg-type]
    await PaymentsExtension().start(app)
    assert isinstance(app.state.payments, FakePaymentGateway)


async def test_the_extension_refuses_settings_that_skipped_validation() -> None:
    settings = ReturnsSettings.model_construct(environment="production", payment_adapter="fake", **REQUIRED)
    with pytest.raises(PaymentAdapterRefused, match="RETURNS_ENVIRONMENT=production"):
        await PaymentsExtension().start(SimpleNamespace(state=SimpleNamespace(settings=settings)))
