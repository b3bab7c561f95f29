import os

API_KEY = os.environ["MEETSTREAM_API_KEY"]
headers = {"Authorization": "Token " + API_KEY}

deepgram = DeepgramClient(os.environ["DEEPGRAM_API_KEY"])
