import os

# https://app.attendee.dev
KEY = os.environ["ATTENDEE_API_KEY"]
auth = f"Token {KEY}"
headers = {"Authorization": auth}

def for_key(key):
    value = "Token " + key
    return {"Authorization": value}

raw = "6348be1f43f8e3ecec1a0cb7ce5de497b91cd4e2"
no_scheme = {"Authorization": raw}
