"""Settings of the returns service: environment variables prefixed `RETURNS_`."""

from __future__ import annotations

from pydantic import Field, ValidationInfo, field_validator
from pydantic_settings import SettingsConfigDict

from aftersales_chassis import ServiceSettings

from .payments import ADAPTERS, refuse_unsafe_adapter


class ReturnsSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="RETURNS_", extra="ignore")

    payment_adapter: str = Field(
        default="fake",
        description=f"How refunds are paid out, one of: {', '.join(ADAPTERS)}. `fake` pays nothing and is "
        "refused unless `environment` is dev or test.",
    )

    # A field validator, not a model one: a model validator's error would quote every input,
    # the JWT secret among them, into the start-up log.
    @field_validator("payment_adapter")
    @classmethod
    def _payment_adapter_allowed(cls, adapter: str, info: ValidationInfo) -> str:
        if "environment" in info.data:  # else its own error is reported
            refuse_unsafe_adapter(adapter, info.data["environment"], prefix=cls.model_config.get("env_prefix", ""))
        return adapter
