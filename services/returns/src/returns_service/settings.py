"""Settings of the returns service: environment variables prefixed `RETURNS_`."""

from aftersales_chassis import ServiceSettings
from pydantic_settings import SettingsConfigDict


class ReturnsSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="RETURNS_", extra="ignore")
