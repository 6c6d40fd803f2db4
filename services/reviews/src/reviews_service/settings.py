"""Settings of the reviews service: environment variables prefixed `REVIEWS_`."""

from pydantic_settings import SettingsConfigDict

from aftersales_chassis import ServiceSettings


class ReviewsSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="REVIEWS_", extra="ignore")
