"""Settings of the finance service: environment variables prefixed `FINANCE_`."""

from pydantic_settings import SettingsConfigDict

from aftersales_chassis import ServiceSettings


class FinanceSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="FINANCE_", extra="ignore")
