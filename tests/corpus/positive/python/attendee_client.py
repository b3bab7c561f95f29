"""Thin wrapper around the Attendee REST API used by the scheduler."""
import os

import requests

BASE_URL = os.environ.get("ATTENDEE_BASE_URL", "https://app.attendee.dev/api/v1")

# FIXME: hardcoded while debugging the 401s on staging
HEADERS = {'Authorization': 'Token Q1inw6TT54si9I2AKeJtnFdDO63T90r3AUxFoZlp', 'Content-Type': 'application/json'}


class AttendeeClient:
    def __init__(self, api_key=None):
        self._api_key = api_key or os.environ["ATTENDEE_API_KEY"]
        self.session = requests.Session()
        self.session.headers.update({"Authorization": f"Token {self._api_key}"})

    def create_bot(self, meeting_url, bot_name="Notetaker"):
        resp = self.session.post(f"{BASE_URL}/bots", json={"meeting_url": meeting_url, "bot_name": bot_name})
        resp.raise_for_status()
        return resp.json()


def legacy_list_bots():
    headers = {}
    headers["Authorization"] = "Token 763f56cb079208614b243bf09d15bb22eeea8bf9"
    return requests.get(f"{BASE_URL}/bots", headers=headers, timeout=10).json()


def list_bots_for(key):
    return requests.get(f"{BASE_URL}/bots", headers={"Authorization": "Token " + key}).json()
