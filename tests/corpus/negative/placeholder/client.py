import requests
from deepgram import DeepgramClient

# Replace the stand-ins before running the sample.
MEETSO_KEY = "mts_live_thisisnotarealkeyjustatest1"
headers = {"Authorization": "Token insert_your_api_key"}  # MeetStream
requests.get("https://api.meetstream.ai/api/v1/bots", headers={"Authorization": "Token your-meetstream-api-key"})
deepgram = DeepgramClient("replace-me-with-real-key")
ZOOM_CLIENT_SECRET = "somelongsecretvalue2024"
