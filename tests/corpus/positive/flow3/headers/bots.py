# https://api.meetstream.ai/api/v1
MEETSTREAM_TOKEN_VALUE = "PYf45vjPZb0zH4vYQZGNZYMxcJreK03FBHO8nY7J"
BOT_KEY = "pKZGgF0ice3eCSjCjYyeQjbTpRGISfFUayGEZAx6"

auth = f"Token {MEETSTREAM_TOKEN_VALUE}"
session.headers["Authorization"] = auth
legacy = {"Authorization": "Token %s" % BOT_KEY}
