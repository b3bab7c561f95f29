import os
from pathlib import Path

from .secrets import get_secret

BASE_DIR = Path(__file__).resolve().parent.parent
DEBUG = os.getenv("DEBUG", "0") == "1"
ALLOWED_HOSTS = ["recorder.acme.io", "localhost"]

# --- meeting bot integrations -------------------------------------------------
MEETSTREAM_API_KEY = os.environ["MEETSTREAM_API_KEY"]
ATTENDEE_API_KEY = os.getenv("ATTENDEE_API_KEY")
ZOOM_CLIENT_ID = "m1w1Xj5Hvlema2puwqsBzQ"
ZOOM_CLIENT_SECRET = "9cfxOeV0rKfWjFpVjbyALZmNcPqH4O0f"
DEEPGRAM_API_KEY = '5235e7e8bb57ccc689a057cf41f5f3b902711c5c'
WEBHOOK_SECRET = get_secret('/meetstream/prod/webhook-secret')
