"""Settings of the reviews service: environment variables prefixed `REVIEWS_`."""

from pydantic import Field, ValidationInfo, field_validator
from pydantic_settings import SettingsConfigDict

from aftersales_chassis import ServiceSettings

from .marketplaces.port import ADAPTERS, refuse_unsafe_adapter


class ReviewsSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="REVIEWS_", extra="ignore")

    marketplace_adapter: str = Field(
        default="fake",
        description=f"How reviews talks to the marketplaces, one of: {', '.join(ADAPTERS)}. `fake` sends "
        "nothing and is refused unless `environment` is dev or test.",
    )

    @field_validator("marketplace_adapter")
    @classmethod
    def _marketplace_adapter_allowed(cls, adapter: str, info: ValidationInfo) -> str:
        if "environment" in info.data:  # else its own error is reported
            refuse_unsafe_adapter(adapter, info.data["environment"], prefix=cls.model_config.get("env_prefix", ""))
        return adapter
