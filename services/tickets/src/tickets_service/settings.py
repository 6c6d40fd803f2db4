"""Settings of the tickets service: environment variables prefixed `TICKETS_`."""

from aftersales_chassis import ServiceSettings
from pydantic_settings import SettingsConfigDict


class TicketsSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="TICKETS_", extra="ignore")
