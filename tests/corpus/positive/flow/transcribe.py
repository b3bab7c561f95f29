from deepgram import DeepgramClient

TRANSCRIBER_KEY = "77b5e8e91c6cc452910ad3df567a5a2b84dd552a"

deepgram = DeepgramClient(TRANSCRIBER_KEY)
