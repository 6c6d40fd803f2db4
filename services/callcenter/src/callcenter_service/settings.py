"""Settings of the callcenter service: environment variables prefixed `CALLCENTER_`."""

from aftersales_chassis import ServiceSettings
from pydantic_settings import SettingsConfigDict


class CallcenterSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="CALLCENTER_", extra="ignore")
