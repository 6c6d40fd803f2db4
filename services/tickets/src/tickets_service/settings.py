"""Settings of the tickets service: environment variables prefixed `TICKETS_`."""

from pydantic_settings import SettingsConfigDict

from aftersales_chassis import ServiceSettings


class TicketsSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="TICKETS_", extra="ignore")
