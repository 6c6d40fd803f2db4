"""Settings of the callcenter service: environment variables prefixed `CALLCENTER_`."""

from pydantic_settings import SettingsConfigDict

from aftersales_chassis import ServiceSettings


class CallcenterSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="CALLCENTER_", extra="ignore")
