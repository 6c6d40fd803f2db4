"""Settings of the reviews service: environment variables prefixed `REVIEWS_`."""

from aftersales_chassis import ServiceSettings
from pydantic_settings import SettingsConfigDict


class ReviewsSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="REVIEWS_", extra="ignore")
