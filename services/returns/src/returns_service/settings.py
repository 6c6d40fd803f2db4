"""Settings of the returns service: environment variables prefixed `RETURNS_`."""

from pydantic_settings import SettingsConfigDict

from aftersales_chassis import ServiceSettings


class ReturnsSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="RETURNS_", extra="ignore")
