import hashlib
import hmac
import os

from flask import Flask, abort, request

app = Flask(__name__)

ATTENDEE_WEBHOOK_SECRET = "4d5526bf84686ec57439c6d01f054b04e1a3a0eb61288e02debe705ff457d0af"
os.environ["ATTENDEE_API_KEY"] = "qbm7zBzaRT3QWBNxMaFkhmMjlnUaIhdp"  # so the SDK picks it up
deepgram_api_key = "9cc3c046ab31b562dc5a7cd612e485ee31c6cfbe"


@app.post("/webhooks/attendee")
def attendee_webhook():
    sig = request.headers.get("X-Webhook-Signature", "")
    expected = hmac.new(ATTENDEE_WEBHOOK_SECRET.encode(), request.get_data(), hashlib.sha256).hexdigest()
    if not hmac.compare_digest(sig, expected):
        abort(401)
    return "ok"
