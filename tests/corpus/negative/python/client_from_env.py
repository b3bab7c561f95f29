import base64
import os

from django.conf import settings

MEETSTREAM_API_KEY = os.environ["MEETSTREAM_API_KEY"]
ATTENDEE_API_KEY = os.getenv("ATTENDEE_API_KEY")
DEEPGRAM_API_KEY = os.environ.get("DEEPGRAM_API_KEY", "")
ZOOM_CLIENT_SECRET = settings.ZOOM_CLIENT_SECRET
WEBHOOK_SECRET: str = os.environ["WEBHOOK_SECRET"]


class MeetStreamClient:
    BASE_URL = "https://api.meetstream.ai/api/v1"

    def __init__(self, api_key: str):
        if not api_key:
            raise ValueError("API key must not be empty")
        self._api_key = api_key

    def _headers(self):
        return {"Authorization": f"Token {self._api_key}", "Content-Type": "application/json"}


def attendee_headers(key):
    return {'Authorization': 'Token %s' % key}


def attendee_headers_fmt(key):
    return {'Authorization': 'Token {}'.format(key)}


def meetso_headers():
    return {"Authorization": "Bearer " + os.environ["MEETSO_API_KEY"]}


def zoom_basic(client_id, client_secret):
    creds = base64.b64encode(f"{client_id}:{client_secret}".encode()).decode()
    return {"Authorization": f"Basic {creds}"}
