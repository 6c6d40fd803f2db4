"""Settings of the finance service: environment variables prefixed `FINANCE_`."""

from aftersales_chassis import ServiceSettings
from pydantic_settings import SettingsConfigDict


class FinanceSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="FINANCE_", extra="ignore")
