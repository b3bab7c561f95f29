from deepgram import DeepgramClient

client = DeepgramClient(api_key="d7b88dc9e30d87490c94fb4eb1491b6da650fa74")
