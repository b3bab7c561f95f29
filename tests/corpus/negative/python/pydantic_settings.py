from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings


class Settings(BaseSettings):
    meetstream_api_key: SecretStr
    attendee_api_key: SecretStr = Field(..., alias="ATTENDEE_API_KEY")
    deepgram_api_key: str | None = None
    zoom_client_secret: SecretStr = SecretStr("")
    webhook_secret: str = Field(default="", description="HMAC secret used to verify X-MeetStream-Signature")
    meetso_api_key: str = Field(default="mts_live_...", min_length=33)
