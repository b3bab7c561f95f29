# https://api.meetstream.ai/api/v1
BOT_TOKEN = "Ub6HQmisdAHd0KA0z70GjaAFbXcP7er3j3FIwkEH".freeze

request["Authorization"] = "Token #{BOT_TOKEN}"
