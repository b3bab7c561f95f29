#!/usr/bin/env python3
# -*- coding: utf-8 -*-
"""Generate keyhound's labelled test corpus (tests/corpus/positive, negative, expected.tsv).

Every credential in the corpus is FAKE: it is produced here by a seeded PRNG, so the
whole tree is reproducible byte for byte and no real key is ever involved.

    python3 tests/corpus/gen.py          # (re)write positive/, negative/ and expected.tsv
    python3 tests/corpus/gen.py --check  # regenerate in memory, compare with the tree on disk

Templates below are ordinary file contents with markers of the form

    ⟦kind⟧        a freshly generated value; if `kind` maps to a rule, one expected finding
                  (rule, path, line of the marker, secret) is recorded
    ⟦!kind⟧       same value shape, but NO finding is expected (suppressed line, wrong
                  length, binary file, noise such as UUIDs...)
    ⟦kind#name⟧   the value is shared by every marker with the same kind and name
    ⟦b64=text⟧    standard base64 of the literal text (placeholder Basic headers)

The marker brackets are not in any key alphabet, so this file itself yields no finding.
Per-marker RNGs are seeded from (SEED, path, marker index) so editing one file does not
change the keys of any other file.
"""
import base64
import hashlib
import json
import os
import random
import re
import shutil
import string
import sys
import uuid
import zlib

SEED = "keyhound-corpus-v1"
HERE = os.path.dirname(os.path.abspath(__file__))

B62 = string.ascii_uppercase + string.ascii_lowercase + string.digits
HEX = "0123456789abcdef"
STOPWORDS = ("test", "example", "dummy", "sample", "fake", "demo", "redact", "xxxx", "key")


def _plausible(s):
    """Reject values that could look non-random by accident (runs, sequences, words)."""
    low = s.lower()
    if any(w in low for w in STOPWORDS):
        return False
    for i in range(len(s) - 3):
        w = s[i:i + 4]
        if len(set(w)) == 1:
            return False
        o = [ord(c) for c in w]
        if all(o[j + 1] - o[j] == 1 for j in range(3)) or all(o[j + 1] - o[j] == -1 for j in range(3)):
            return False
    if "ms_" in s or "mts_" in s:
        return False
    return True


def _draw(r, alphabet, n, need_classes=True):
    while True:
        s = "".join(r.choice(alphabet) for _ in range(n))
        if need_classes and alphabet == B62 and not (
            any(c.isupper() for c in s) and any(c.islower() for c in s) and any(c.isdigit() for c in s)
        ):
            continue
        if need_classes and alphabet == HEX and not (
            any(c.isalpha() for c in s) and any(c.isdigit() for c in s)
        ):
            continue
        if _plausible(s):
            return s


def b62(r, n):
    return _draw(r, B62, n)


def hexs(r, n):
    return _draw(r, HEX, n)


def rbytes(r, n):
    return bytes(r.getrandbits(8) for _ in range(n))


def b64url(b):
    return base64.urlsafe_b64encode(b).decode().rstrip("=")


def b64std_token(r, nbytes):
    while True:
        s = base64.b64encode(rbytes(r, nbytes)).decode()
        if _plausible(s):
            return s


def fake_jwt(r):
    """A JWT-shaped Zoom-style access token: random claims, random signature."""
    header = {"alg": "HS512", "v": "2.0", "kid": str(uuid.UUID(int=r.getrandbits(128), version=4))}
    iat = 1717400000 + r.randrange(100000)
    payload = {
        "aud": "https://oauth.zoom.us", "uid": b62(r, 22), "ver": 10, "auid": hexs(r, 64),
        "nbf": iat, "code": b62(r, 22), "iss": "zm:cid:" + b62(r, 22), "gno": 0,
        "exp": iat + 3600, "type": 3, "iat": iat, "aid": b62(r, 22),
    }
    enc = lambda o: b64url(json.dumps(o, separators=(",", ":")).encode())
    return enc(header) + "." + enc(payload) + "." + b64url(rbytes(r, 64))


# kind -> (rule or None, generator(r) -> (text_in_file, secret))
def _same(f):
    return lambda r: (lambda v: (v, v))(f(r))


def _basic(r):
    cid, sec = b62(r, 22), b62(r, 32)
    return base64.b64encode(f"{cid}:{sec}".encode()).decode(), sec


def _ms_lower(r):
    while True:
        s = "".join(r.choice(string.ascii_lowercase + string.digits) for _ in range(32))
        if any(c.isdigit() for c in s) and _plausible(s):
            return "ms_" + s


KINDS = {
    # Meetso
    "live": ("meetso-live-key", _same(lambda r: "mts_live_" + b62(r, 35))),
    "live24": ("meetso-live-key", _same(lambda r: "mts_live_" + b62(r, 24))),
    "live40": ("meetso-live-key", _same(lambda r: "mts_live_" + b62(r, 40))),
    "live64": ("meetso-live-key", _same(lambda r: "mts_live_" + b62(r, 64))),
    "test": ("meetso-test-key", _same(lambda r: "mts_test_" + b62(r, 35))),
    "live23": (None, _same(lambda r: "mts_live_" + b62(r, 23))),  # too short
    "live65": (None, _same(lambda r: "mts_live_" + b62(r, 65))),  # too long
    "live70": (None, _same(lambda r: "mts_live_" + b62(r, 70))),  # too long
    # MeetStream
    "ms": ("meetstream-api-key", _same(lambda r: "ms_" + b62(r, 32))),
    "ms31": (None, _same(lambda r: "ms_" + b62(r, 31))),
    "ms33": (None, _same(lambda r: "ms_" + b62(r, 33))),
    "mslc": (None, _same(_ms_lower)),  # no upper-case letter -> not a meetstream-api-key
    # Authorization: Token <KEY>
    "tok": ("authorization-token", _same(lambda r: b62(r, 40))),
    "tokhex": ("authorization-token", _same(lambda r: hexs(r, 40))),
    "tokmslc": ("authorization-token", _same(_ms_lower)),  # ms_-looking but lower-case only
    # Authorization: Bearer <KEY>
    "bear": ("authorization-bearer", _same(lambda r: b64url(rbytes(r, 32)))),
    "bear64": ("authorization-bearer", _same(lambda r: b64std_token(r, 31))),  # ends in '=='
    "jwt": ("authorization-bearer", _same(fake_jwt)),
    # env-secret values
    "dg": ("env-secret", _same(lambda r: hexs(r, 40))),  # Deepgram: 40 hex
    "zs": ("env-secret", _same(lambda r: b62(r, 32))),  # Zoom client secret
    "ak": ("env-secret", _same(lambda r: b62(r, 32))),  # Attendee API key
    "mshex": ("env-secret", _same(lambda r: hexs(r, 40))),  # MeetStream key, non ms_ form
    "wh": ("env-secret", _same(lambda r: hexs(r, 64))),  # webhook secret, hex
    "whsec": ("env-secret", _same(lambda r: "whsec_" + b64std_token(r, 32))),  # ends in '='
    "k8sb64": ("env-secret", _same(lambda r: base64.b64encode(hexs(r, 40).encode()).decode())),
    # a generic app secret name (clientSecret, API_SECRET) next to Zoom
    "zas": ("zoom-app-secret", _same(lambda r: b62(r, 32))),
    # a Deepgram key passed to the Deepgram SDK (literal or constant)
    "dgsdk": ("deepgram-sdk-key", _same(lambda r: hexs(r, 40))),
    # Zoom Basic header: text is base64(client_id:client_secret), secret is client_secret
    "basic": ("basic-auth", _basic),
    "basicph": (None, lambda r: (base64.b64encode(f"{b62(r, 22)}:YOUR_CLIENT_SECRET".encode()).decode(), None)),
    "basicempty": (None, lambda r: (base64.b64encode(f"{b62(r, 22)}:".encode()).decode(), None)),
    # noise that must never be reported
    "zid": (None, _same(lambda r: b62(r, 22))),
    "b62_32": (None, _same(lambda r: b62(r, 32))),
    "b62_19": (None, _same(lambda r: b62(r, 19))),  # one short of the 20-char Token/Bearer minimum
    "b62_15": (None, _same(lambda r: b62(r, 15))),  # one short of the 16-char env-secret minimum
    "uuid": (None, _same(lambda r: str(uuid.UUID(int=r.getrandbits(128), version=4)))),
    "hex40": (None, _same(lambda r: hexs(r, 40))),
    "hex64": (None, _same(lambda r: hexs(r, 64))),
    "req": (None, _same(lambda r: "req_" + b62(r, 24))),
    "sri": (None, _same(lambda r: "sha512-" + base64.b64encode(rbytes(r, 64)).decode())),
}

MARKER = re.compile(r"⟦(!?)([a-z0-9_]+)(?:#(\w+))?(?:=([^⟧]*))?⟧")
_named = {}


def substitute(path, text):
    """Replace markers; return (text, [(rule, line, secret), ...])."""
    out, found, pos = [], [], 0
    for idx, m in enumerate(MARKER.finditer(text)):
        out.append(text[pos:m.start()])
        pos = m.end()
        neg, kind, name, lit = m.group(1) == "!", m.group(2), m.group(3), m.group(4)
        if kind == "b64":
            out.append(base64.b64encode(lit.encode()).decode())
            continue
        rule, gen = KINDS[kind]
        if name:
            if (kind, name) not in _named:
                _named[(kind, name)] = gen(random.Random(f"{SEED}|name|{name}|{kind}"))
            value, secret = _named[(kind, name)]
        else:
            value, secret = gen(random.Random(f"{SEED}|{path}|{idx}|{kind}"))
        line = "".join(out).count("\n") + 1
        out.append(value)
        if rule and not neg:
            found.append((rule, line, secret))
    out.append(text[pos:])
    return "".join(out), found


# ----------------------------------------------------------------------------------------
# corpus definition
# ----------------------------------------------------------------------------------------
FILES = []  # (path, template, options)


def add(path, text, crlf=False, bom=False, encoding="utf-8", final_newline=True):
    if text.startswith("\n"):
        text = text[1:]
    if not final_newline:
        text = text.rstrip("\n")
    FILES.append((path, text, dict(crlf=crlf, bom=bom, encoding=encoding)))


BINARIES = []  # (path, builder) ; builder() -> bytes ; nothing expected


def binary(path):
    def deco(f):
        BINARIES.append((path, f))
        return f
    return deco



# ========================================================================================
# POSITIVES  (mixed files: placeholder / env-reference lines next to real keys are fine)
# ========================================================================================

# --- dotenv -------------------------------------------------------------------------------
add("positive/dotenv/.gitignore", r"""
node_modules/
__pycache__/
*.pyc
dist/
.evn
""")

add("positive/dotenv/.env", r"""
# local dev settings -- this file is gitignored (see .gitignore)
APP_ENV=development
PORT=8080
LOG_LEVEL=debug

# MeetStream (bot creation)
MEETSTREAM_API_KEY=⟦ms⟧
MEETSTREAM_BASE_URL=https://api.meetstream.ai/api/v1
# previous key, rotated in May -- keep until every lambda is redeployed
# MEETSTREAM_API_KEY=⟦ms⟧

# Attendee (self-hosted staging)
ATTENDEE_API_KEY=⟦ak⟧
ATTENDEE_BASE_URL=https://attendee.staging.internal/api/v1

# Zoom server-to-server OAuth app
ZOOM_ACCOUNT_ID=⟦!zid⟧
ZOOM_CLIENT_ID=⟦!zid⟧
ZOOM_CLIENT_SECRET=⟦zs⟧

DEEPGRAM_API_KEY=⟦dg⟧ # prod key, rotate after the demo
WEBHOOK_SECRET=⟦whsec⟧

# Meetso export (docs placeholder below kept for reference)
# MEETSO_API_KEY=mts_live_...
MEETSO_API_KEY=⟦live⟧
MEETSO_API_BASE=https://api.meetso.ai
SENTRY_DSN=
""")

add("positive/dotenv/.env.local", r"""
# Created by Vercel CLI
NEXT_PUBLIC_APP_URL="http://localhost:3000"
NEXT_PUBLIC_MEETSTREAM_API_KEY="⟦mshex⟧"
VERCEL_ENV="development"
VERCEL_GIT_COMMIT_SHA="⟦!hex40⟧"
""")

add("positive/dotenv/.env.production", r"""
export ATTENDEE_API_KEY=⟦ak⟧
PROD_ZOOM_CLIENT_SECRET='⟦zs⟧'
ZOOM_CLIENT_SECRET=$PROD_ZOOM_CLIENT_SECRET
MEETSTREAM_WEBHOOK_SECRET="⟦wh⟧"
STRIPE_WEBHOOK_SECRET=⟦whsec⟧
DEEPGRAM_API_KEY=⟦!dg⟧  # keyhound:allow -- sandbox key, revoked 2024-02-11
WEBHOOK_SECRET=
""")

add("positive/frontend/.env.development", r"""
VITE_API_BASE=https://app.attendee.dev/api/v1
VITE_ATTENDEE_API_KEY=⟦ak⟧
VITE_FEATURE_TRANSCRIPTS=true
""")

# value on the very last line, no trailing newline
add("positive/misc/deploy.env", r"""
REGION=us-east-1
SERVICE=meeting-recorder
ATTENDEE_WEBHOOK_SECRET=⟦wh⟧
""", final_newline=False)

# --- shell ----------------------------------------------------------------------------------
add("positive/scripts/create_bot.sh", r"""
#!/usr/bin/env bash
set -euo pipefail
# quick smoke test against prod -- TODO move the key to vault
export ATTENDEE_API_KEY="⟦ak⟧"
MEETING_URL="${1:?usage: create_bot.sh <meeting-url>}"

curl -sS -X POST https://app.attendee.dev/api/v1/bots \
  -H 'Authorization: Token ⟦tok⟧' \
  -H 'Content-Type: application/json' \
  -d "{\"meeting_url\": \"${MEETING_URL}\", \"bot_name\": \"Notetaker\"}"

# same call using the env var (this one is fine)
curl -sS https://app.attendee.dev/api/v1/bots -H "Authorization: Token ${ATTENDEE_API_KEY}"
""")

add("positive/scripts/meetstream_smoke.sh", r"""
#!/bin/sh
# Smoke tests run by the on-call after a deploy.
set -e

API=https://api.meetstream.ai/api/v1

echo "== create bot"
curl --fail --silent --show-error "$API/bots/create_bot" \
  --header "Authorization: Token ⟦ms⟧" \
  --header "Content-Type: application/json" \
  --data '{"meeting_link": "https://meet.google.com/abc-defg-hij", "bot_name": "Smoke test"}'

echo "== list bots (attendee, wget)"
wget -qO- --header="Authorization: Token ⟦tokhex⟧" https://app.attendee.dev/api/v1/bots

echo "== same with httpie"
http GET https://app.attendee.dev/api/v1/bots 'Authorization:Token ⟦tok⟧'

echo "== run the transcriber locally"
docker run --rm \
  -e DEEPGRAM_API_KEY=⟦dg⟧ \
  -e ZOOM_CLIENT_SECRET="⟦zs⟧" \
  -e ATTENDEE_API_KEY \
  ghcr.io/acme/transcriber:latest
""")

add("positive/scripts/zoom_token.sh", r"""
#!/usr/bin/env bash
# Fetch a Zoom S2S OAuth token and list the bot account's meetings.
ACCOUNT_ID="⟦!zid⟧"

TOKEN_JSON=$(curl -s -X POST \
  "https://zoom.us/oauth/token?grant_type=account_credentials&account_id=${ACCOUNT_ID}" \
  -H "Authorization: Basic ⟦basic⟧")

ACCESS_TOKEN=$(echo "$TOKEN_JSON" | jq -r .access_token)
curl -s https://api.zoom.us/v2/users/me/meetings -H "Authorization: Bearer ${ACCESS_TOKEN}"

# pasted from the marketplace "test" button, valid for 1h
curl -s https://api.zoom.us/v2/users/me -H "Authorization: Bearer ⟦jwt⟧"
""")

# --- python -----------------------------------------------------------------------------------
add("positive/python/attendee_client.py", r"""
"""
'"""Thin wrapper around the Attendee REST API used by the scheduler."""\n'
r"""import os

import requests

BASE_URL = os.environ.get("ATTENDEE_BASE_URL", "https://app.attendee.dev/api/v1")

# FIXME: hardcoded while debugging the 401s on staging
HEADERS = {'Authorization': 'Token ⟦tok⟧', 'Content-Type': 'application/json'}


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
    headers["Authorization"] = "Token ⟦tokhex⟧"
    return requests.get(f"{BASE_URL}/bots", headers=headers, timeout=10).json()


def list_bots_for(key):
    return requests.get(f"{BASE_URL}/bots", headers={"Authorization": "Token " + key}).json()
""")

add("positive/python/settings.py", r"""
import os
from pathlib import Path

from .secrets import get_secret

BASE_DIR = Path(__file__).resolve().parent.parent
DEBUG = os.getenv("DEBUG", "0") == "1"
ALLOWED_HOSTS = ["recorder.acme.io", "localhost"]

# --- meeting bot integrations -------------------------------------------------
MEETSTREAM_API_KEY = os.environ["MEETSTREAM_API_KEY"]
ATTENDEE_API_KEY = os.getenv("ATTENDEE_API_KEY")
ZOOM_CLIENT_ID = "⟦!zid⟧"
ZOOM_CLIENT_SECRET = "⟦zs⟧"
DEEPGRAM_API_KEY = '⟦dg⟧'
WEBHOOK_SECRET = get_secret('/meetstream/prod/webhook-secret')
""")

add("positive/python/zoom_oauth.py", r"""
import base64
import json
import urllib.request

ACCOUNT_ID = "⟦!zid⟧"


def get_zoom_access_token(client_id: str, client_secret: str, account_id: str = ACCOUNT_ID) -> str:
    credentials = base64.b64encode(f"{client_id}:{client_secret}".encode()).decode()
    req = urllib.request.Request(
        f"https://zoom.us/oauth/token?grant_type=account_credentials&account_id={account_id}",
        headers={"Authorization": f"Basic {credentials}", "Content-Type": "application/x-www-form-urlencoded"},
        method="POST",
    )
    with urllib.request.urlopen(req) as resp:
        return json.loads(resp.read())["access_token"]


def get_token_hardcoded() -> str:
    # copied from Postman while the Parameter Store migration is pending
    req = urllib.request.Request(
        f"https://zoom.us/oauth/token?grant_type=account_credentials&account_id={ACCOUNT_ID}",
        headers={
            "Authorization": "Basic ⟦basic⟧",
            "Content-Type": "application/x-www-form-urlencoded",
        },
        method="POST",
    )
    with urllib.request.urlopen(req) as resp:
        return json.loads(resp.read())["access_token"]
""")

add("positive/python/meetso_export.py", r"""
#!/usr/bin/env python3
# Nightly export of Meetso meetings into the warehouse.
#   manual check: curl "https://api.meetso.ai/public/v1/meetings?limit=1&api_key=⟦live#export⟧"
import time

import requests

MEETSO_API = "https://api.meetso.ai/public/v1"
API_KEY = "⟦live#export⟧"  # TODO: move to Secrets Manager
WAREHOUSE_URL = "https://ingest.warehouse.internal/v2/batches"


def meetso_get(path, **params):
    for attempt in range(4):
        r = requests.get(f"{MEETSO_API}{path}", params=params,
                         headers={"Authorization": f"Bearer {API_KEY}"}, timeout=30)
        if r.status_code == 429:
            time.sleep(2 ** attempt)
            continue
        r.raise_for_status()
        return r.json()
    raise RuntimeError("rate limited")


def push(rows):
    requests.post(WAREHOUSE_URL, json=rows,
                  headers={"Authorization": "Bearer ⟦bear⟧"}, timeout=60)
""")

add("positive/python/tests/test_meetso_client.py", r"""
import pytest

from meetso import Client, InvalidKey

# Sandbox org keys; mts_test_ keys cannot touch production data.
SANDBOX_KEY = "⟦test⟧"
OTHER_ORG_KEY = "⟦test⟧"
DOCS_KEY = "mts_live_aB3xKp9NzQwErTyUiOpAsDfGhJkLmNbVcXz"  # the example from the Meetso docs
REVOKED_KEY = "⟦!live⟧"  # gitleaks:allow -- revoked, used to assert 401 invalid_key


@pytest.mark.parametrize("key", ["", "YOUR_API_KEY", "mts_live_…", "mts_live_..."])
def test_rejects_placeholders(key):
    with pytest.raises(ValueError):
        Client(api_key=key)


def test_revoked_key(httpx_mock):
    httpx_mock.add_response(
        status_code=401,
        json={"error": {"code": "invalid_key", "message": "Key revoked", "request_id": "⟦!req⟧"}},
    )
    with pytest.raises(InvalidKey):
        Client(api_key=REVOKED_KEY).meetings(limit=1)


def test_docs_key_is_rejected(httpx_mock):
    httpx_mock.add_response(status_code=401, json={"error": {"code": "invalid_key"}})
    with pytest.raises(InvalidKey):
        Client(api_key=DOCS_KEY).meetings(limit=1)
""")

add("positive/python/webhook_server.py", r"""
import hashlib
import hmac
import os

from flask import Flask, abort, request

app = Flask(__name__)

ATTENDEE_WEBHOOK_SECRET = "⟦wh⟧"
os.environ["ATTENDEE_API_KEY"] = "⟦ak⟧"  # so the SDK picks it up
deepgram_api_key = "⟦dg⟧"


@app.post("/webhooks/attendee")
def attendee_webhook():
    sig = request.headers.get("X-Webhook-Signature", "")
    expected = hmac.new(ATTENDEE_WEBHOOK_SECRET.encode(), request.get_data(), hashlib.sha256).hexdigest()
    if not hmac.compare_digest(sig, expected):
        abort(401)
    return "ok"
""")

# --- notebook (JSON with escaped quotes) --------------------------------------------------
add("positive/notebooks/transcribe_demo.ipynb", r"""
{
 "cells": [
  {
   "cell_type": "markdown",
   "metadata": {},
   "source": [
    "# Transcribe a meeting with Attendee + Deepgram\n",
    "Set `ATTENDEE_API_KEY` before running (see the auth docs: `Authorization: Token YOUR_API_KEY`)."
   ]
  },
  {
   "cell_type": "code",
   "execution_count": 1,
   "metadata": {},
   "outputs": [],
   "source": [
    "import os, requests\n",
    "\n",
    "DEEPGRAM_API_KEY = \"⟦dg⟧\"\n",
    "headers = {\"Authorization\": \"Token ⟦tok⟧\", \"Content-Type\": \"application/json\"}\n",
    "resp = requests.post(\"https://app.attendee.dev/api/v1/bots\", headers=headers,\n",
    "                     json={\"meeting_url\": \"https://zoom.us/j/123456789\", \"bot_name\": \"My Bot\"})"
   ]
  },
  {
   "cell_type": "code",
   "execution_count": 2,
   "metadata": {},
   "outputs": [
    {
     "name": "stdout",
     "output_type": "stream",
     "text": [
      "loaded MEETSTREAM key ⟦ms⟧ from ~/.config/meetstream\n",
      "bot bot_⟦!b62_32⟧ joining\n"
     ]
    }
   ],
   "source": [
    "print(f\"loaded MEETSTREAM key {cfg['key']} from ~/.config/meetstream\")\n",
    "print(f\"bot {resp.json()['id']} joining\")"
   ]
  }
 ],
 "metadata": {
  "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
  "language_info": {"name": "python", "version": "3.11.7"}
 },
 "nbformat": 4,
 "nbformat_minor": 5
}
""")

# --- javascript / typescript ------------------------------------------------------------------
add("positive/js/meetstreamClient.js", r"""
// MeetStream client used by the Slack bot
const crypto = require('crypto');

const BASE_URL = 'https://api.meetstream.ai/api/v1';
const WEBHOOK_SECRET = '⟦wh⟧';

async function createBot(meetingLink) {
  const res = await fetch(`${BASE_URL}/bots/create_bot`, {
    method: 'POST',
    headers: { Authorization: 'Token ⟦tok⟧', 'Content-Type': 'application/json' },
    body: JSON.stringify({ meeting_link: meetingLink, bot_name: 'Slack Notetaker' }),
  });
  if (!res.ok) throw new Error(`create_bot failed: ${res.status}`);
  return res.json();
}

function verifyWebhookSignature(rawBody, signatureHeader) {
  const [algo, receivedDigest] = signatureHeader.split('=', 2);
  if (algo !== 'sha256') return false;
  const expected = crypto
    .createHmac('sha256', process.env.WEBHOOK_SECRET || WEBHOOK_SECRET)
    .update(rawBody)
    .digest('hex');
  return crypto.timingSafeEqual(Buffer.from(receivedDigest, 'hex'), Buffer.from(expected, 'hex'));
}

module.exports = { createBot, verifyWebhookSignature };
""")

add("positive/js/attendee.ts", r"""
import axios from 'axios';

export const attendee = axios.create({
  baseURL: 'https://app.attendee.dev/api/v1',
  headers: {
    Authorization: `Token ⟦tokhex⟧`,
    'Content-Type': 'application/json',
  },
});

// service-to-service token for the internal recording gateway
export const GATEWAY_AUTH = "Bearer ⟦bear⟧";

export function withKey(apiKey: string) {
  return axios.create({ headers: { Authorization: `Token ${apiKey}` } });
}
""")

add("positive/js/app.bundle.js", r"""
"use strict";(self.webpackChunkrecorder=self.webpackChunkrecorder||[]).push([[179],{4021:function(e,t,n){n.d(t,{Z:function(){return o}});var r=n(9669),a=n.n(r),i="https://api.meetstream.ai/api/v1",o=a().create({baseURL:i,headers:{Authorization:"Token ⟦tok⟧","Content-Type":"application/json"}})},5512:function(e,t,n){var r={NEXT_PUBLIC_MEETSTREAM_API_KEY:"⟦ms⟧",NODE_ENV:"production"};function a(e){return fetch("https://api.meetso.ai/public/v1/meetings?limit=1",{headers:{Authorization:"Bearer "+e}})}t.default=a}}]);
//# sourceMappingURL=app.bundle.js.map
""")

add("positive/js/zoomAuth.mjs", r"""
import fetch from 'node-fetch';

const accountId = process.env.ZOOM_ACCOUNT_ID;

export async function zoomToken() {
  const res = await fetch(`https://zoom.us/oauth/token?grant_type=account_credentials&account_id=${accountId}`, {
    method: 'POST',
    headers: {
      // Authorization: `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`,
      Authorization: 'Basic ⟦basic⟧',
    },
  });
  return (await res.json()).access_token;
}
""")

# --- go / java / ruby / php / rust / c# -------------------------------------------------------
add("positive/go/meetstream.go", r"""
package meetstream

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
)

const baseURL = "https://api.meetstream.ai/api/v1"

// TODO(jk): load from the environment before merging
const DEEPGRAM_API_KEY = "⟦dg⟧"

type Client struct {
	http   *http.Client
	apiKey string
}

func (c *Client) CreateBot(ctx context.Context, link string) (*http.Response, error) {
	body, _ := json.Marshal(map[string]string{"meeting_link": link, "bot_name": "Recorder"})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, baseURL+"/bots/create_bot", bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Authorization", "Token ⟦tok⟧")
	req.Header.Set("Content-Type", "application/json")
	return c.http.Do(req)
}

func (c *Client) ListBots(ctx context.Context) (*http.Response, error) {
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, baseURL+"/bots", nil)
	req.Header.Set("Authorization", "Token "+c.apiKey)
	return c.http.Do(req)
}

func MeetsoMeetings(ctx context.Context) (*http.Response, error) {
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, "https://api.meetso.ai/public/v1/meetings?limit=1", nil)
	req.Header.Set("Authorization", "Bearer ⟦live⟧")
	return http.DefaultClient.Do(req)
}
""")

add("positive/java/AttendeeClient.java", r"""
package com.acme.bots;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

import okhttp3.Request;

public class AttendeeClient {
    private static final String BASE = "https://app.attendee.dev/api/v1";
    private final HttpClient http = HttpClient.newHttpClient();

    public String listBots() throws Exception {
        HttpRequest request = HttpRequest.newBuilder()
                .uri(URI.create(BASE + "/bots"))
                .header("Authorization", "Token ⟦tok⟧")
                .GET()
                .build();
        return http.send(request, HttpResponse.BodyHandlers.ofString()).body();
    }

    public Request meetsoSandboxMeetings() {
        return new Request.Builder()
                .url("https://api.meetso.ai/public/v1/meetings?limit=1")
                .addHeader("Authorization", "Bearer ⟦test⟧")
                .build();
    }

    public Request withKey(String apiKey) {
        return new Request.Builder().url(BASE + "/bots").header("Authorization", "Token " + apiKey).build();
    }
}
""")

add("positive/ruby/meetstream.rb", r"""
require 'net/http'
require 'faraday'

module Recorder
  MEETSTREAM = Faraday.new(
    url: 'https://api.meetstream.ai/api/v1',
    headers: { 'Authorization' => 'Token ⟦tok⟧', 'Content-Type' => 'application/json' }
  )

  def self.list_attendee_bots
    uri = URI('https://app.attendee.dev/api/v1/bots')
    req = Net::HTTP::Get.new(uri)
    req['Authorization'] = "Token ⟦tokhex⟧"
    Net::HTTP.start(uri.host, uri.port, use_ssl: true) { |http| http.request(req) }
  end

  def self.client_for(key)
    Faraday.new(headers: { 'Authorization' => "Token #{key}" })
  end
end
""")

add("positive/php/attendee.php", r"""
<?php

use GuzzleHttp\Client;

$client = new Client([
    'base_uri' => 'https://app.attendee.dev/api/v1/',
    'headers'  => [
        'Authorization' => 'Token ⟦tok⟧',
        'Content-Type'  => 'application/json',
    ],
]);

$ch = curl_init('https://api.meetstream.ai/api/v1/bots/create_bot');
curl_setopt($ch, CURLOPT_HTTPHEADER, [
    'Authorization: Token ⟦tokmslc⟧',
    'Content-Type: application/json',
]);
curl_setopt($ch, CURLOPT_POSTFIELDS, json_encode(['meeting_link' => $link, 'bot_name' => 'Recorder']));

// other environments read it from the environment:
$headers = ['Authorization' => 'Token ' . getenv('ATTENDEE_API_KEY')];
""")

add("positive/rust/meetso_sync.rs", r"""
use reqwest::blocking::Client;
use reqwest::header::{AUTHORIZATION, CONTENT_TYPE};

// TODO: read from the environment before this ships
const MEETSO_KEY: &str = "⟦live⟧";

fn list_meetings(client: &Client) -> reqwest::Result<String> {
    client
        .get("https://api.meetso.ai/public/v1/meetings?limit=1")
        .bearer_auth(MEETSO_KEY)
        .send()?
        .text()
}

fn list_bots(client: &Client) -> reqwest::Result<String> {
    client
        .get("https://app.attendee.dev/api/v1/bots")
        .header(AUTHORIZATION, "Token ⟦tok⟧")
        .header(CONTENT_TYPE, "application/json")
        .send()?
        .text()
}

fn list_bots_with(client: &Client, key: &str) -> reqwest::Result<String> {
    client.get("https://app.attendee.dev/api/v1/bots").header(AUTHORIZATION, format!("Token {key}")).send()?.text()
}
""")

add("positive/csharp/AttendeeService.cs", r"""
using System;
using System.Net.Http;
using System.Net.Http.Headers;

namespace Acme.Recorder;

public sealed class AttendeeService
{
    private readonly HttpClient _http;

    public AttendeeService(HttpClient http)
    {
        _http = http;
        _http.BaseAddress = new Uri("https://app.attendee.dev/api/v1/");
        _http.DefaultRequestHeaders.Add("Authorization", "Token ⟦tok⟧");
    }

    public HttpRequestMessage GatewayRequest()
    {
        var msg = new HttpRequestMessage(HttpMethod.Get, "https://gateway.internal/recordings");
        msg.Headers.TryAddWithoutValidation("Authorization", "Bearer ⟦bear⟧");
        return msg;
    }

    public void UseKey(string apiKey) =>
        _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Token", apiKey);
}
""")

# Visual Studio writes launchSettings.json with a BOM and CRLF line endings
add("positive/csharp/Properties/launchSettings.json", r"""
{
  "profiles": {
    "Recorder": {
      "commandName": "Project",
      "launchBrowser": false,
      "applicationUrl": "https://localhost:7043;http://localhost:5043",
      "environmentVariables": {
        "ASPNETCORE_ENVIRONMENT": "Development",
        "MEETSTREAM_API_KEY": "⟦ms⟧",
        "DEEPGRAM_API_KEY": "⟦dg⟧",
        "ZOOM_CLIENT_ID": "⟦!zid⟧"
      }
    }
  }
}
""", crlf=True, bom=True)

add("positive/powershell/Invoke-Bot.ps1", r"""
param(
    [Parameter(Mandatory = $true)][string]$MeetingUrl
)

$env:DEEPGRAM_API_KEY = "⟦dg⟧"

$headers = @{
    Authorization  = "Token ⟦tok⟧"
    'Content-Type' = 'application/json'
}
$body = @{ meeting_url = $MeetingUrl; bot_name = 'Recorder' } | ConvertTo-Json
Invoke-RestMethod -Method Post -Uri 'https://app.attendee.dev/api/v1/bots' -Headers $headers -Body $body

Invoke-RestMethod -Uri 'https://api.meetso.ai/public/v1/meetings?limit=1' -Headers @{ "Authorization" = "Bearer ⟦live⟧" }

# later runs should use the env var instead:
# -Headers @{ Authorization = "Token $env:ATTENDEE_API_KEY" }
""", crlf=True)

# --- config formats -----------------------------------------------------------------------
add("positive/config/config.yaml", r"""
service:
  name: recorder
  port: 8080

attendee:
  base_url: https://app.attendee.dev/api/v1
  http:
    timeout: 30s
    headers:
      Authorization: Token ⟦tok⟧
      Content-Type: application/json

transcription:
  provider: deepgram
  deepgram_api_key: ⟦dg⟧
  model: nova-2

zoom:
  client_id: ⟦!zid⟧
  client_secret: ${ZOOM_CLIENT_SECRET}
""")

add("positive/config/app.toml", r"""
[server]
bind = "0.0.0.0:8080"
workers = 4

[deepgram]
deepgram_api_key = "⟦dg⟧"
language = "en-US"

[zoom]
client_id = "⟦!zid⟧"
zoom_client_secret = "⟦zs⟧"

[webhooks]
WEBHOOK_SECRET = "⟦wh⟧"
""")

add("positive/config/settings.ini", r"""
[meetstream]
base_url = https://api.meetstream.ai/api/v1
api_key = ⟦ms⟧

[webhooks]
attendee_webhook_secret = ⟦wh⟧
verify_signatures = true
""")

add("positive/config/application.properties", r"""
spring.application.name=recorder
meetstream.base-url=https://api.meetstream.ai/api/v1
meetstream.api-key=⟦ms⟧
DEEPGRAM_API_KEY=⟦dg⟧
zoom.client-id=⟦!zid⟧
""")

add("positive/config/request.json", r"""
{
  "name": "create-bot",
  "request": {
    "method": "POST",
    "url": "https://app.attendee.dev/api/v1/bots",
    "headers": {
      "Authorization": "Token ⟦tok⟧",
      "Content-Type": "application/json"
    },
    "body": {"meeting_url": "https://zoom.us/j/123456789", "bot_name": "My Bot"}
  },
  "env": {
    "ATTENDEE_API_KEY": "⟦ak⟧",
    "DEEPGRAM_API_KEY":"⟦dg⟧"
  }
}
""")

add("positive/docker/docker-compose.yml", r"""
services:
  worker:
    image: ghcr.io/acme/recorder-worker:1.4.2
    environment:
      - ATTENDEE_API_KEY=${ATTENDEE_API_KEY}
      - ZOOM_CLIENT_SECRET=⟦zs⟧
      - MEETSO_API_KEY=⟦live⟧
      - LOG_LEVEL=info
  transcriber:
    image: ghcr.io/acme/transcriber:0.9.0
    environment:
      DEEPGRAM_API_KEY: "⟦dg⟧"
      WEBHOOK_SECRET: ${WEBHOOK_SECRET:?set WEBHOOK_SECRET}
    env_file: .env
""")

add("positive/docker/Dockerfile", r"""
FROM python:3.12-slim
ARG MEETSTREAM_API_KEY
WORKDIR /app
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt
COPY . .
ENV MEETSTREAM_API_KEY=$MEETSTREAM_API_KEY
ENV DEEPGRAM_API_KEY=⟦dg⟧
ENV ZOOM_CLIENT_SECRET ⟦zs⟧
ENV PYTHONUNBUFFERED=1
CMD ["gunicorn", "app:server", "-b", "0.0.0.0:8000"]
""")

add("positive/k8s/deployment.yaml", r"""
apiVersion: apps/v1
kind: Deployment
metadata:
  name: recorder
spec:
  replicas: 2
  selector:
    matchLabels: {app: recorder}
  template:
    metadata:
      labels: {app: recorder}
    spec:
      containers:
        - name: recorder
          image: ghcr.io/acme/recorder:2.3.1
          env:
            - name: ATTENDEE_API_KEY
              value: "⟦ak⟧"
            - name: ZOOM_CLIENT_ID
              value: "⟦!zid⟧"
            - name: ZOOM_CLIENT_SECRET
              valueFrom:
                secretKeyRef:
                  name: zoom-oauth
                  key: client-secret
            - name: DEEPGRAM_API_KEY
              value: ⟦dg⟧
            - name: LOG_LEVEL
              value: info
""")

add("positive/k8s/secret.yaml", r"""
apiVersion: v1
kind: Secret
metadata:
  name: recorder-credentials
type: Opaque
stringData:
  WEBHOOK_SECRET: "⟦wh⟧"
  MEETSTREAM_API_KEY: ⟦ms⟧
data:
  DEEPGRAM_API_KEY: ⟦k8sb64⟧
""")

add("positive/.github/workflows/nightly.yml", r"""
name: nightly-e2e
on:
  schedule:
    - cron: "17 3 * * *"
jobs:
  e2e:
    runs-on: ubuntu-latest
    env:
      MEETSTREAM_API_KEY: ⟦mshex⟧
      ATTENDEE_API_KEY: ${{ secrets.ATTENDEE_API_KEY }}
    steps:
      - uses: actions/checkout@v4
      - run: pytest -m e2e
        env:
          PROD_DEEPGRAM_API_KEY: "⟦dg⟧"
""")

add("positive/terraform/prod.tfvars", r"""
region             = "us-east-1"
environment        = "prod"
deepgram_api_key   = "⟦dg⟧"
zoom_client_id     = "⟦!zid⟧"
zoom_client_secret = "⟦zs⟧"
""")

add("positive/helm/values.yaml", r"""
replicaCount: 2
image:
  repository: ghcr.io/acme/recorder
  tag: "2.3.1"
meetstream:
  apiKey: ⟦ms⟧
  existingSecret: ""
env:
  ATTENDEE_API_KEY: "⟦ak⟧"
  ZOOM_CLIENT_ID: "⟦!zid⟧"
  LOG_LEVEL: info
""")

add("positive/http/attendee.http", r"""
@baseUrl = https://app.attendee.dev/api/v1

### List bots
GET {{baseUrl}}/bots
Authorization: Token ⟦tok⟧

### Create bot
POST {{baseUrl}}/bots
Authorization: Token {{attendeeToken}}
Content-Type: application/json

{"meeting_url": "https://zoom.us/j/123456789", "bot_name": "My Bot"}

### Zoom S2S token
POST https://zoom.us/oauth/token?grant_type=account_credentials&account_id={{zoomAccountId}}
Authorization: Basic ⟦basic⟧
""")

add("positive/nginx/meetstream-proxy.conf", r"""
server {
    listen 8443 ssl;
    server_name bots.internal.acme.io;

    location /meetstream/ {
        proxy_pass https://api.meetstream.ai/api/v1/;
        proxy_set_header Host api.meetstream.ai;
        proxy_set_header Authorization "Token ⟦tok⟧";
    }

    location /attendee/ {
        proxy_pass https://app.attendee.dev/api/v1/;
        proxy_set_header Authorization $http_authorization;
    }
}
""")

add("positive/sql/seed.sql", r"""
-- dev seed data; loaded by `make db-seed`
INSERT INTO integrations (org_id, provider, api_key, created_at) VALUES
  (1, 'meetso', '⟦live⟧', now()),
  (1, 'meetstream', '⟦ms⟧', now()),
  (2, 'meetso', 'mts_live_...', now());
""")

add("positive/postman/meetso.postman_collection.json", r"""
{
  "info": {
    "name": "Meetso public API",
    "schema": "https://schema.getpostman.com/json/collection/v2.1.0/collection.json"
  },
  "item": [
    {
      "name": "List meetings",
      "request": {
        "method": "GET",
        "header": [
          {"key": "Authorization", "value": "Bearer ⟦live⟧", "type": "text"}
        ],
        "url": {"raw": "https://api.meetso.ai/public/v1/meetings?limit=1"}
      }
    },
    {
      "name": "Recording gateway export",
      "request": {
        "method": "GET",
        "header": [
          {"key": "Authorization", "value": "Bearer ⟦bear⟧", "type": "text"}
        ],
        "url": {"raw": "https://gateway.internal/v1/export"}
      }
    },
    {
      "name": "Transcript",
      "request": {
        "method": "GET",
        "header": [{"key": "Authorization", "value": "Bearer {{meetsoKey}}"}],
        "url": {"raw": "https://api.meetso.ai/public/v1/transcripts/:id"}
      }
    }
  ]
}
""")

# --- logs ---------------------------------------------------------------------------------
add("positive/logs/worker-debug.log", r"""
2024-06-03 14:22:07,118 DEBUG urllib3.connectionpool Starting new HTTPS connection (1): app.attendee.dev:443
send: b'POST /api/v1/bots HTTP/1.1\r\nHost: app.attendee.dev\r\nUser-Agent: python-requests/2.32.3\r\nAccept-Encoding: gzip, deflate\r\nAccept: */*\r\nConnection: keep-alive\r\nAuthorization: Token ⟦tok⟧\r\nContent-Type: application/json\r\nContent-Length: 74\r\n\r\n'
reply: 'HTTP/1.1 201 Created\r\n'
header: Content-Type: application/json
2024-06-03 14:22:07,402 DEBUG urllib3.connectionpool https://app.attendee.dev:443 "POST /api/v1/bots HTTP/1.1" 201 412
2024-06-03 14:22:09,951 ERROR django.request Internal Server Error: /webhooks/attendee
  HTTP_AUTHORIZATION=Token ⟦tokhex⟧
  HTTP_X_MEETSTREAM_SIGNATURE=sha256=⟦!hex64⟧
  REMOTE_ADDR=10.0.3.17
2024-06-03 14:22:10,003 DEBUG hyper::proto::h2 outgoing headers: authorization: token ⟦tok⟧
2024-06-03 14:22:11,530 DEBUG zoom_oauth request headers={'Authorization': 'Basic ⟦basic⟧', 'Content-Type': 'application/x-www-form-urlencoded'}
2024-06-03 14:22:11,871 DEBUG meetso GET /public/v1/meetings?limit=1 authorization="Bearer ⟦live⟧" status=200
2024-06-03 14:22:12,004 WARNING meetso request_id=⟦!req⟧ code=rate_limited retry_in=2.0s
2024-06-03 14:22:14,120 INFO gateway upstream call Authorization: Bearer ⟦bear⟧ -> 200 (38 ms)
2024-06-03 14:22:15,377 DEBUG django environ {'HTTP_AUTHORIZATION': 'Token ⟦tok⟧', 'HTTP_HOST': 'recorder.acme.io'}
""")

add("positive/logs/curl-verbose.txt", r"""
$ curl -v "https://api.meetso.ai/public/v1/meetings?limit=1" -H "Authorization: Bearer $MEETSO_API_KEY"
*   Trying 104.18.22.201:443...
* Connected to api.meetso.ai (104.18.22.201) port 443
* ALPN: server accepted h2
> GET /public/v1/meetings?limit=1 HTTP/2
> Host: api.meetso.ai
> User-Agent: curl/8.5.0
> Accept: */*
> Authorization: Bearer ⟦live⟧
>
< HTTP/2 403
< content-type: application/json
<
{"error": {"code": "scope_missing", "message": "This key lacks the meetings:read scope", "request_id": "⟦!req⟧"}}
$ curl -v https://gateway.internal/v1/export -H "Authorization: Bearer ⟦bear64#gw⟧"
> GET /v1/export HTTP/1.1
> Host: gateway.internal
> Authorization: Bearer ⟦bear64#gw⟧
>
< HTTP/1.1 200 OK
""")

# --- docs / chat ------------------------------------------------------------------------------
add("positive/docs/runbook.md", r"""
# Incident 2024-05-14: bots failing to join

## Timeline

- 09:12 alerts: `create_bot` returning 401 from MeetStream.
- 09:20 reproduced with the key from the ops vault:

```bash
curl -X POST https://api.meetstream.ai/api/v1/bots/create_bot \
  -H "Authorization: Token ⟦ms⟧" \
  -H "Content-Type: application/json" \
  -d '{"meeting_link": "https://meet.google.com/xyz-abcd-efg", "bot_name": "Debug"}'
```

- 09:31 the old key `⟦ms⟧` had been revoked by the rotation job, but the Lambda still cached it.
- 09:40 Attendee fallback worked: `curl -H 'Authorization: Token ⟦tokhex⟧' https://app.attendee.dev/api/v1/bots`
- 10:05 Meetso export key for reference: ⟦live⟧ (scope meetings:read)

## Follow-ups

- Never paste keys into this doc; write `Authorization: Token YOUR_API_KEY` in examples.
- Move `MEETSTREAM_API_KEY` to Parameter Store (`/meetstream/prod/api-key`).
""")

add("positive/chat/slack-export.json", r"""
[
  {"type": "message", "user": "U04F1QK9XJ2", "ts": "1717420123.004900", "text": "anyone have the staging meetso key? the one from the docs (mts_live_aB3xKp9NzQwErTyUiOpAsDfGhJkLmNbVcXz) obviously 401s"},
  {"type": "message", "user": "U03A7ZP2M1L", "ts": "1717420188.005100", "text": "use the sandbox one: ⟦test⟧. it's read-only"},
  {"type": "message", "user": "U04F1QK9XJ2", "ts": "1717420240.005300", "text": "thx. and prod export is ⟦live64⟧ right?"},
  {"type": "message", "user": "U03A7ZP2M1L", "ts": "1717420301.005500", "text": "the short legacy one still works too: ⟦live24⟧\nbut rotate it pls"},
  {"type": "message", "user": "U03A7ZP2M1L", "ts": "1717420359.005700", "text": "or just open https://api.meetso.ai/public/v1/meetings?limit=1&api_key=⟦live40⟧&debug=1"},
  {"type": "message", "user": "U04F1QK9XJ2", "ts": "1717420411.005900", "text": "format is mts_live_… + 35 chars, right?"}
]
""")

# --- encodings / odd files -------------------------------------------------------------------
# the whole file is the key: match at byte 0 and at EOF (no newline)
add("positive/misc/meetso_api_key.txt", "⟦live⟧", final_newline=False)

# Japanese notes: no spaces around the keys. Word boundaries are ASCII [A-Za-z0-9_] per the
# spec, so kana / full-width punctuation next to a key do not block the match.
add("positive/docs/handover-ja.md", r"""
# 引き継ぎメモ（録画ボット）

- 本番のMeetStreamキーは⟦ms⟧です。ローテーション後に削除してください。
- Meetsoのエクスポート用キー：⟦live⟧（読み取り専用）
- Attendeeは環境変数ATTENDEE_API_KEYから読み込みます（ここには書かない）。
""")

# Latin-1 encoded: invalid UTF-8, the keys still count with their line numbers
add("positive/misc/notes-latin1.txt", r"""
Notes réunion équipe bots -- 12/03
Clé MeetStream de démo (à révoquer après la démo) : ⟦ms⟧
Accès Attendee : curl -H 'Authorization: Token ⟦tok⟧' https://app.attendee.dev/api/v1/bots
Prochaine étape : déplacer les clés dans Vault.
""", encoding="latin-1")


def _service_log():
    """A log with a run of NUL bytes (crash) well past the first 8 KiB: still a text file."""
    lines = [
        "2024-07-01T08:00:00Z INFO  recorder starting version=2.3.1 pid=4121",
        "2024-07-01T08:00:00Z DEBUG config loaded MEETSO_API_KEY=⟦live⟧ region=us-east-1",
    ]
    for i in range(130):
        lines.append(f"2024-07-01T08:{i // 60:02d}:{i % 60:02d}Z INFO  bot ⟦!uuid⟧ state=in_call participants={3 + i % 7}")
    lines.append("\x00" * 300 + "2024-07-01T09:14:02Z INFO  recorder starting version=2.3.1 pid=4380 (previous run crashed)")
    lines.append("2024-07-01T09:14:02Z DEBUG config loaded MEETSTREAM key=⟦ms⟧")
    lines.append("2024-07-01T09:14:03Z INFO  bot pool warm, 4 slots")
    return "\n".join(lines) + "\n"


add("positive/logs/service.log", _service_log())


# --- nested config key paths (issue 12 §1) --------------------------------------------------
add("positive/keypath/config.yaml", r"""
server:
  port: 8080
zoom:
  account_id: ⟦!zid⟧
  client_id: ⟦!zid⟧
  oauth:
    client_secret: "⟦zs⟧"   # S2S app
deepgram:
  model: nova-2
  api_key: ⟦dg⟧
""")

add("positive/keypath/settings.toml", r"""
[app]
name = "recorder"

[zoom]
account_id = "⟦!zid⟧"
secret = "⟦zs⟧"

[integrations.deepgram]
key = "⟦dg⟧"
""")

add("positive/keypath/appsettings.json", r"""
{
  "Logging": { "LogLevel": { "Default": "Information" } },
  "Zoom": {
    "ClientId": "⟦!zid⟧",
    "ClientSecret": "⟦zs⟧"
  },
  "Deepgram": { "ApiKey": "⟦dg⟧" }
}
""")

add("positive/keypath/bot.ini", r"""
[general]
log_level = info

[Zoom]
ClientSecret=⟦zs⟧
""")

# --- value flow: a constant used in a header or SDK call (issue 12 §1) ------------------------
add("positive/flow/MeetStreamClient.java", r"""
package bots;

// https://api.meetstream.ai/api/v1
public class MeetStreamClient {
    private static final String API_KEY = "⟦tok⟧";

    HttpURLConnection open(URL url) throws IOException {
        HttpURLConnection conn = (HttpURLConnection) url.openConnection();
        conn.setRequestProperty("Authorization", "Token " + API_KEY);
        return conn;
    }
}
""")

add("positive/flow/client.kt", r"""
// Attendee client, https://app.attendee.dev
private val botKey = "⟦tok⟧"

fun request(url: String) = Request.Builder().url(url)
    .header("Authorization", "Token $botKey")
    .build()
""")

add("positive/flow/client.go", r"""
package bots

// https://api.meetstream.ai/api/v1
const apiKey = "⟦tok⟧"

func newRequest(url string) *http.Request {
	req, _ := http.NewRequest("GET", url, nil)
	req.Header.Set("Authorization", fmt.Sprintf("Token %s", apiKey))
	return req
}
""")

add("positive/flow/client.cpp", r"""
// Attendee REST client (https://app.attendee.dev)
static const std::string kAttendeeKey{"⟦tok⟧"};

void add_auth(Headers& h) {
    h.push_back("Authorization: " "Token " + kAttendeeKey);
}
""")

add("positive/flow/Client.cs", r"""
// https://api.meetstream.ai/api/v1
public class Bots {
    private const string ApiKey = "⟦tok⟧";

    public Bots(HttpClient client) {
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Token", ApiKey);
    }
}
""")

add("positive/flow/transcribe.py", r"""
from deepgram import DeepgramClient

TRANSCRIBER_KEY = "⟦dgsdk⟧"

deepgram = DeepgramClient(TRANSCRIBER_KEY)
""")

add("positive/flow/transcribe.js", r"""
import { createClient } from "@deepgram/sdk";

const deepgram = createClient("⟦dgsdk⟧");
""")

# --- Zoom app/SDK secrets under the names real code uses ---------------------------------------
add("positive/zoom/meeting-sdk.js", r"""
import { ZoomMtg } from "@zoom/meetingsdk";

const config = {
  sdkKey: "⟦!zid⟧",
  appSecret: "⟦zas⟧",
};
""")

# ========================================================================================
# NEGATIVES  (every file below must produce NO finding)
# ========================================================================================

# --- documentation copied from the providers' docs (tests/../shared/seeds) ------------------
add("negative/docs/attendee-authentication.md", r"""
# Authentication

The Attendee API uses token-based authentication. Every API request must include your API key in the Authorization header using the Token scheme.
All API requests must be made over HTTPS. Calls made over plain HTTP will fail.

## Making Authenticated Requests

Include your API key in the Authorization header of every request:

```
Authorization: Token YOUR_API_KEY_HERE
```

### Full Request Example

```bash
curl -X POST https://app.attendee.dev/api/v1/bots \
  -H 'Authorization: Token YOUR_API_KEY_HERE' \
  -H 'Content-Type: application/json' \
  -d '{
    "meeting_url": "https://zoom.us/j/123456789",
    "bot_name": "My Bot"
  }'
```

```python
import requests

API_KEY = 'your_api_key_here'

headers = {
    'Authorization': f'Token {API_KEY}',
    'Content-Type': 'application/json'
}
```

## Authentication Errors

```json
{
  "detail": "Authentication credentials were not provided."
}
```

```json
{
  "detail": "Invalid token."
}
```

Make sure you're using the correct format:

```
Authorization: Token YOUR_API_KEY
```

## Use Environment Variables

Store API keys in environment variables, never hardcode them in your source code.

```bash
export ATTENDEE_API_KEY="your_api_key_here"
```

## Self-Hosted Instances

```bash
curl -X POST https://your-instance.com/api/v1/bots \
  -H 'Authorization: Token YOUR_API_KEY' \
  -H 'Content-Type: application/json' \
  -d '{"meeting_url": "...", "bot_name": "My Bot"}'
```
""")

# Verbatim scrape of the Meetso page: note the example key glued to "The" and "…Requests".
add("negative/docs/meetso-authentication.md", r"""
Authentication
Bearer-token auth with per-resource scopes. Keys are minted by org admins.
The Meetso public API uses bearer-token authentication over HTTPS.
Every request to /public/v1/* must include:
Authorization: Bearer mts_live_…Requests without a valid bearer return 401 unauthorized (no
Authorization header) or 401 invalid_key (key revoked, expired, or
not found).
Key format
Production keys look like:
mts_live_aB3xKp9NzQwErTyUiOpAsDfGhJkLmNbVcXzThe mts_live_ prefix is brand-recognizable, helps GitHub's secret
scanner identify leaked keys, and reserves namespace for a future
mts_test_ mode. Treat the entire string as opaque — don't try to parse
or split it.

Cleaned-up version for our wiki:

```
Authorization: Bearer mts_live_aB3xKp9NzQwErTyUiOpAsDfGhJkLmNbVcXz
```

| Scope | Grants |
|---|---|
| meetings:read | GET /public/v1/meetings, GET /public/v1/meetings/:id |
| transcripts:read | GET /public/v1/transcripts/:id |
| recordings:read | GET /public/v1/recordings/:id (incl. presigned URL) |
""")

add("negative/docs/meetstream-auth-guide.md", r"""
# MeetStream API Key Authentication

Every API request includes your API key in the Authorization header:

    Authorization: Token YOUR_API_KEY

```python
import urllib.request, json, os

class MeetStreamClient:
    BASE_URL = "https://api.meetstream.ai/api/v1"

    def __init__(self, api_key: str):
        if not api_key:
            raise ValueError("API key must not be empty")
        self._api_key = api_key

    def _request(self, method: str, path: str, body: dict = None) -> dict:
        req = urllib.request.Request(
            f"{self.BASE_URL}{path}",
            data=json.dumps(body).encode() if body else None,
            headers={
                "Authorization": f"Token {self._api_key}",
                "Content-Type": "application/json"
            },
            method=method
        )
        with urllib.request.urlopen(req) as resp:
            return json.loads(resp.read())

# Usage, key comes from environment, never hardcoded
client = MeetStreamClient(api_key=os.environ["MEETSTREAM_API_KEY"])
```

```python
credentials = base64.b64encode(f"{client_id}:{client_secret}".encode()).decode()
headers = {"Authorization": f"Basic {credentials}", "Content-Type": "application/x-www-form-urlencoded"}
```

```js
if (!sig || !verifyWebhookSignature(req.body, sig, process.env.WEBHOOK_SECRET)) {
  return res.status(401).send('Unauthorized');
}
```

```python
# Fetch once at startup, not per request
MEETSTREAM_API_KEY = get_secret('/meetstream/prod/api-key')
ZOOM_CLIENT_SECRET = get_secret('/meetstream/prod/zoom-client-secret')
WEBHOOK_SECRET = get_secret('/meetstream/prod/webhook-secret')
```
""")

add("negative/docs/README.md", r"""
# recorder

Joins meetings with a bot, records them and ships transcripts to the warehouse.

## Configuration

| Variable | Description | Example |
|---|---|---|
| `MEETSTREAM_API_KEY` | MeetStream key (dashboard, API keys) | `ms_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx` |
| `ATTENDEE_API_KEY` | Attendee token | `<API_KEY>` |
| `MEETSO_API_KEY` | Meetso public API key | `mts_live_...` |
| `ZOOM_CLIENT_SECRET` | Zoom S2S app secret | `<your-zoom-client-secret>` |
| `DEEPGRAM_API_KEY` | Deepgram key, 40 hex chars | `0000000000000000000000000000000000000000` |
| `WEBHOOK_SECRET` | HMAC secret for `X-MeetStream-Signature` | `whsec_...` |

## Quick start

```bash
export MEETSTREAM_API_KEY=<your-token>
curl -H "Authorization: Token ${MEETSTREAM_API_KEY}" https://api.meetstream.ai/api/v1/bots
curl -H "Authorization: Bearer $MEETSO_API_KEY" "https://api.meetso.ai/public/v1/meetings?limit=1"
```

Templates in `deploy/` render the header as `Authorization: Token {{ api_key }}`; the Python
helper formats it as `"Token {api_key}"`.
""")

add("negative/prose/security-faq.md", r"""
# Security FAQ

**How do I authenticate?** Every request carries your API key in the Authorization header
using the Token scheme, e.g. `Authorization: Token <key>`.

**Does Meetso use Bearer authentication?** Yes, Meetso uses Bearer authentication:
`Authorization: Bearer mts_live_…`. Bearer tokens must only be sent over HTTPS.

**What does `WWW-Authenticate: Basic realm="api"` mean?** The server asks for Basic credentials.

**Where does the Zoom client secret go?** Into `Authorization: Basic base64(client_id:client_secret)`,
built at runtime from the secrets manager.

**Rotation.** Rotate WEBHOOK_SECRET quarterly. Keep ZOOM_CLIENT_SECRET in the secrets manager,
never in .env. The Token authentication scheme predates Bearer authentication; both send the
credential in the Authorization header, and both are Authorization: Token-style opaque strings.
""")

# --- dotenv templates ----------------------------------------------------------------------
add("negative/dotenv/.env.example", r"""
# Copy to .env and fill in. Never commit the real .env!
MEETSTREAM_API_KEY=YOUR_API_KEY
ATTENDEE_API_KEY=your_api_key_here
ATTENDEE_BASE_URL=https://app.attendee.dev/api/v1
ZOOM_ACCOUNT_ID=
ZOOM_CLIENT_ID=
ZOOM_CLIENT_SECRET=
DEEPGRAM_API_KEY=<DEEPGRAM_API_KEY>
WEBHOOK_SECRET=changeme
MEETSO_API_KEY=mts_live_…
""")

add("negative/dotenv/.env.sample", r"""
MEETSTREAM_API_KEY=ms_XXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX
ATTENDEE_API_KEY=xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx
ZOOM_CLIENT_SECRET=****************
DEEPGRAM_API_KEY=0123456789abcdef0123456789abcdef01234567
MEETSTREAM_WEBHOOK_SECRET=replace-with-your-webhook-secret
MEETSO_API_KEY=mts_live_...
""")

add("negative/dotenv/.env.template", r"""
MEETSTREAM_API_KEY=${MEETSTREAM_API_KEY}
ATTENDEE_API_KEY=$ATTENDEE_API_KEY
ZOOM_CLIENT_SECRET={{ zoom_client_secret }}
DEEPGRAM_API_KEY={deepgram_api_key}
WEBHOOK_SECRET=%WEBHOOK_SECRET%
NEXT_PUBLIC_MEETSTREAM_API_KEY=${NEXT_PUBLIC_MEETSTREAM_API_KEY:-}
MEETSO_API_KEY=<redacted>
""")

add("negative/dotenv/.env.test", r"""
# values for the unit tests -- not real credentials
MEETSTREAM_API_KEY=dummy
ATTENDEE_API_KEY=example
ZOOM_CLIENT_SECRET=redacted
DEEPGRAM_API_KEY=aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa
WEBHOOK_SECRET=abcdefghijklmnopqrstuvwxyz012345
ATTENDEE_WEBHOOK_SECRET=whsec_test_secret_for_unit_tests
MEETSO_API_KEY=
# one character short of the 16-char minimum
WEBHOOK_SECRET=⟦!b62_15⟧
""")

# --- code reading keys from the environment -------------------------------------------------
add("negative/python/client_from_env.py", r"""
import base64
import os

from django.conf import settings

MEETSTREAM_API_KEY = os.environ["MEETSTREAM_API_KEY"]
ATTENDEE_API_KEY = os.getenv("ATTENDEE_API_KEY")
DEEPGRAM_API_KEY = os.environ.get("DEEPGRAM_API_KEY", "")
ZOOM_CLIENT_SECRET = settings.ZOOM_CLIENT_SECRET
WEBHOOK_SECRET: str = os.environ["WEBHOOK_SECRET"]


class MeetStreamClient:
    BASE_URL = "https://api.meetstream.ai/api/v1"

    def __init__(self, api_key: str):
        if not api_key:
            raise ValueError("API key must not be empty")
        self._api_key = api_key

    def _headers(self):
        return {"Authorization": f"Token {self._api_key}", "Content-Type": "application/json"}


def attendee_headers(key):
    return {'Authorization': 'Token %s' % key}


def attendee_headers_fmt(key):
    return {'Authorization': 'Token {}'.format(key)}


def meetso_headers():
    return {"Authorization": "Bearer " + os.environ["MEETSO_API_KEY"]}


def zoom_basic(client_id, client_secret):
    creds = base64.b64encode(f"{client_id}:{client_secret}".encode()).decode()
    return {"Authorization": f"Basic {creds}"}
""")

add("negative/python/test_redaction.py", r"""
from recorder.logging import redact

DOC_EXAMPLE = "mts_live_aB3xKp9NzQwErTyUiOpAsDfGhJkLmNbVcXz"
PLACEHOLDERS = ["YOUR_API_KEY", "YOUR_API_KEY_HERE", "<API_KEY>", "mts_live_…", "mts_live_...", "changeme"]
FAKE_HEADERS = {"Authorization": "Token dummy-token-for-unit-tests-only"}


def test_token_header_is_masked():
    assert redact("Authorization: Token abc") == "Authorization: Token ****************"


def test_bearer_header_is_masked():
    assert redact("Authorization: Bearer mts_live_abc") == "Authorization: Bearer <redacted>"


def test_env_line_is_masked():
    assert redact("MEETSO_API_KEY=abc") == "MEETSO_API_KEY=[REDACTED]"
    assert redact("ZOOM_CLIENT_SECRET=abc") == "ZOOM_CLIENT_SECRET=****************"


def test_partial_mask_keeps_prefix():
    assert redact("ms_4fQx") == "ms_****************************9aZk"
""")

add("negative/python/pydantic_settings.py", r"""
from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings


class Settings(BaseSettings):
    meetstream_api_key: SecretStr
    attendee_api_key: SecretStr = Field(..., alias="ATTENDEE_API_KEY")
    deepgram_api_key: str | None = None
    zoom_client_secret: SecretStr = SecretStr("")
    webhook_secret: str = Field(default="", description="HMAC secret used to verify X-MeetStream-Signature")
    meetso_api_key: str = Field(default="mts_live_...", min_length=33)
""")

add("negative/js/client.js", r"""
const MEETSTREAM_API_KEY = process.env.MEETSTREAM_API_KEY;
const { ATTENDEE_API_KEY, DEEPGRAM_API_KEY } = process.env;
const WEBHOOK_SECRET = process.env.WEBHOOK_SECRET ?? '';
const VITE_ATTENDEE_API_KEY = import.meta.env.VITE_ATTENDEE_API_KEY;

export function meetstream(path, init = {}) {
  return fetch(`https://api.meetstream.ai/api/v1${path}`, {
    ...init,
    headers: { Authorization: `Token ${MEETSTREAM_API_KEY}`, 'Content-Type': 'application/json' },
  });
}

export const attendeeHeaders = (key) => ({ Authorization: 'Token ' + key });
export const meetsoHeaders = (key) => ({ Authorization: `Bearer ${key}` });
export const zoomBasic = (id, secret) => `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;
// usage: curl -H "Authorization: Token <your-token>" ...
""")

add("negative/js/webhook.ts", r"""
import crypto from 'node:crypto';

export function verifyWebhookSignature(
  rawBody: Buffer,
  signatureHeader: string,
  secret: string = process.env.WEBHOOK_SECRET!,
): boolean {
  const [algo, receivedDigest] = signatureHeader.split('=', 2);
  if (algo !== 'sha256') return false;
  const expected = crypto.createHmac('sha256', secret).update(rawBody).digest('hex');
  return crypto.timingSafeEqual(Buffer.from(receivedDigest, 'hex'), Buffer.from(expected, 'hex'));
}

// signature captured from a staging delivery (the secret itself lives in Parameter Store)
export const SAMPLE_SIGNATURE = 'sha256=⟦!hex64⟧';
export const SAMPLE_HEADERS = { 'X-MeetStream-Signature': 'sha256=⟦!hex64⟧', 'X-Request-Id': '⟦!uuid⟧' };
""")

add("negative/identifiers/constants.ts", r"""
// Header examples shown in the settings UI. None of these are credentials.
export const HEADER_EXAMPLE = 'Authorization: Token MEETSTREAM_API_KEY';
export const BEARER_EXAMPLE = 'Authorization: Bearer ACCESS_TOKEN';
export const LONG_EXAMPLE = 'Authorization: Token ATTENDEE_API_KEY_PRODUCTION';
export const MEETSO_EXAMPLE = "Bearer MEETSO_API_KEY_FROM_VAULT";
export const WORDY = { Authorization: 'Token your-attendee-api-key-goes-here' };
export const WORDY_BEARER = "Bearer replace_me_with_a_real_token";
export const SEQ = { Authorization: 'Token abcdefghijklmnopqrstuvwxyz012345' };
export const HEXSEQ = { Authorization: 'Token 0123456789abcdef0123456789abcdef' };
export const STARS = 'Authorization: Bearer ********************************';
export const XS = { Authorization: 'Token xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx' };
export const AS = "Bearer aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
export const ELLIPSIS = "Bearer mts_live_…";
export const DOTS = "Bearer mts_live_...";
export const DOC = "Authorization: Bearer mts_live_aB3xKp9NzQwErTyUiOpAsDfGhJkLmNbVcXz";
export const ANGLE = 'Authorization: Token <your-token>';
export const CURLY = 'Authorization: Token {api_key}';
export const JINJA = 'Authorization: Token {{ api_key }}';
export const PRINTF = 'Authorization: Token %s';
export const SHELL = 'Authorization: Token $ATTENDEE_API_KEY';
export const GHA = 'Authorization: Bearer ${{ secrets.MEETSO_API_KEY }}';
export const REDACTED = { Authorization: 'Token <redacted>' };
// one character short of the minimum lengths (20 for Token/Bearer keys)
export const SHORT_TOKEN = { Authorization: 'Token ⟦!b62_19⟧' };
export const SHORT_BEARER = "Bearer ⟦!b62_19⟧";
""")

add("negative/go/client.go", r"""
package attendee

import (
	"fmt"
	"net/http"
	"os"
)

var apiKey = os.Getenv("ATTENDEE_API_KEY")

func authorize(req *http.Request) {
	req.Header.Set("Authorization", "Token "+apiKey)
}

func authorizeFmt(req *http.Request, key string) {
	req.Header.Set("Authorization", fmt.Sprintf("Token %s", key))
}

func meetso(req *http.Request) {
	req.Header.Add("Authorization", "Bearer "+os.Getenv("MEETSO_API_KEY"))
}

const exampleHeader = "Authorization: Token YOUR_API_KEY"
""")

add("negative/java/MeetStreamConfig.java", r"""
package com.acme.bots;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.reactive.function.client.WebClient;

@Configuration
public class MeetStreamConfig {
    @Value("${meetstream.api-key}")
    private String apiKey;

    @Value("${ZOOM_CLIENT_SECRET:}")
    private String zoomClientSecret;

    @Bean
    WebClient meetStream() {
        return WebClient.builder()
            .baseUrl("https://api.meetstream.ai/api/v1")
            .defaultHeader("Authorization", "Token " + apiKey)
            .build();
    }

    String deepgramKey() {
        return System.getenv("DEEPGRAM_API_KEY");
    }
    // e.g. .header("Authorization", "Token YOUR_API_KEY")
}
""")

add("negative/ruby/client.rb", r"""
class AttendeeClient
  BASE = ENV.fetch('ATTENDEE_BASE_URL', 'https://app.attendee.dev/api/v1')

  def initialize(api_key: ENV.fetch('ATTENDEE_API_KEY'))
    @conn = Faraday.new(url: BASE, headers: { 'Authorization' => "Token #{api_key}" })
  end
end

ZOOM_CLIENT_SECRET = ENV['ZOOM_CLIENT_SECRET']
DEEPGRAM_API_KEY = Rails.application.credentials.dig(:deepgram, :api_key)
""")

add("negative/php/client.php", r"""
<?php

$apiKey = getenv('ATTENDEE_API_KEY');
$headers = [
    'Authorization' => 'Token ' . $apiKey,
];
curl_setopt($ch, CURLOPT_HTTPHEADER, ["Authorization: Token {$this->apiKey}"]);
curl_setopt($ch, CURLOPT_HTTPHEADER, ['Authorization: Token ' . $_ENV['MEETSTREAM_API_KEY']]);
define('WEBHOOK_SECRET', $_ENV['WEBHOOK_SECRET'] ?? '');
// 'Authorization' => 'Token YOUR_API_KEY_HERE'
""")

add("negative/rust/client.rs", r"""
use reqwest::header::AUTHORIZATION;

pub fn bots_request() -> anyhow::Result<reqwest::blocking::RequestBuilder> {
    let key = std::env::var("MEETSO_API_KEY")?;
    let attendee = std::env::var("ATTENDEE_API_KEY")?;
    Ok(reqwest::blocking::Client::new()
        .get("https://app.attendee.dev/api/v1/bots")
        .header(AUTHORIZATION, format!("Token {attendee}"))
        .bearer_auth(key))
}

#[cfg(test)]
mod tests {
    #[test]
    fn doc_example_is_not_a_key() {
        let doc = "mts_live_aB3xKp9NzQwErTyUiOpAsDfGhJkLmNbVcXz";
        let header = format!("Bearer {}", "<redacted>");
        assert!(!doc.is_empty() && !header.is_empty());
    }
}
""")

add("negative/csharp/Client.cs", r"""
using System;
using System.Net.Http;
using System.Net.Http.Headers;
using Microsoft.Extensions.Configuration;

public static class ClientFactory
{
    public static HttpClient Create(IConfiguration configuration)
    {
        var apiKey = Environment.GetEnvironmentVariable("ATTENDEE_API_KEY")
            ?? throw new InvalidOperationException("ATTENDEE_API_KEY is not set");
        var http = new HttpClient();
        http.DefaultRequestHeaders.Add("Authorization", $"Token {apiKey}");
        var zoomSecret = configuration["ZOOM_CLIENT_SECRET"];
        // "Authorization": "Token YOUR_API_KEY"
        return http;
    }

    public static void UseMeetso(HttpClient http, IConfiguration configuration) =>
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", configuration["Meetso:ApiKey"]);
}
""")

add("negative/powershell/setup.ps1", r"""
$env:ATTENDEE_API_KEY = Read-Host -Prompt 'Attendee API key'
$env:DEEPGRAM_API_KEY = (Get-Secret -Name DeepgramApiKey -AsPlainText)
$headers = @{ Authorization = "Token $($env:ATTENDEE_API_KEY)" }
$meetso = @{ Authorization = "Bearer $env:MEETSO_API_KEY" }
[Environment]::SetEnvironmentVariable('ZOOM_CLIENT_SECRET', $secret, 'User')
Write-Host "Use the header 'Authorization: Token YOUR_API_KEY' when testing by hand."
""", crlf=True)

add("negative/shell/deploy.sh", r"""
#!/usr/bin/env bash
set -euo pipefail

ZOOM_CLIENT_SECRET=$ZOOM_SECRET
MEETSTREAM_API_KEY=$(aws ssm get-parameter --name /meetstream/prod/api-key --with-decryption --query Parameter.Value --output text)
WEBHOOK_SECRET=${WEBHOOK_SECRET:-dev-webhook-secret-not-for-prod}
export DEEPGRAM_API_KEY="$(vault kv get -field=api_key secret/deepgram)"
export ATTENDEE_API_KEY
MEETSO_API_KEY="${MEETSO_API_KEY:?MEETSO_API_KEY must be set}"

curl -fsS -H "Authorization: Token $ATTENDEE_API_KEY" https://app.attendee.dev/api/v1/bots >/dev/null
curl -fsS -H "Authorization: Bearer $(cat /run/secrets/meetso_key)" "https://api.meetso.ai/public/v1/meetings?limit=1"
curl -fsS -H "Authorization: Token ${MEETSTREAM_API_KEY}" https://api.meetstream.ai/api/v1/bots
docker run --rm -e DEEPGRAM_API_KEY -e ZOOM_CLIENT_SECRET="$ZOOM_CLIENT_SECRET" ghcr.io/acme/transcriber:latest
""")

# --- CI / infra -------------------------------------------------------------------------------
add("negative/.github/workflows/ci.yml", r"""
name: ci
on: [push, pull_request]
jobs:
  test:
    runs-on: ubuntu-latest
    env:
      MEETSTREAM_API_KEY: ${{ secrets.MEETSTREAM_API_KEY }}
      ATTENDEE_API_KEY: ${{ secrets.ATTENDEE_API_KEY }}
      DEEPGRAM_API_KEY: ${{ secrets.DEEPGRAM_API_KEY }}
      ZOOM_CLIENT_SECRET: ${{ secrets.ZOOM_CLIENT_SECRET }}
      MEETSO_API_KEY: ${{ vars.MEETSO_SANDBOX_KEY_NAME }}
    steps:
      - uses: actions/checkout@v4
      - run: |
          curl -fsS -H "Authorization: Token ${{ secrets.MEETSTREAM_API_KEY }}" https://api.meetstream.ai/api/v1/bots
          curl -fsS -H "Authorization: Bearer ${{ secrets.MEETSO_API_KEY }}" "https://api.meetso.ai/public/v1/meetings?limit=1"
""")

add("negative/k8s/deployment.yaml", r"""
apiVersion: apps/v1
kind: Deployment
metadata:
  name: recorder
spec:
  template:
    spec:
      containers:
        - name: recorder
          image: ghcr.io/acme/recorder@sha256:⟦!hex64⟧
          env:
            - name: MEETSTREAM_API_KEY
              valueFrom:
                secretKeyRef:
                  name: meetstream
                  key: api-key
            - name: DEEPGRAM_API_KEY
              value: ""
            - name: ATTENDEE_API_KEY
              value: "$(ATTENDEE_API_KEY_FROM_VAULT)"
            - name: WEBHOOK_SECRET
              valueFrom:
                secretKeyRef: {name: webhooks, key: secret}
            - name: ZOOM_CLIENT_SECRET_FILE
              value: /var/run/secrets/zoom/client-secret
""")

add("negative/helm/templates/secret.yaml", r"""
apiVersion: v1
kind: Secret
metadata:
  name: {{ include "recorder.fullname" . }}
type: Opaque
stringData:
  ATTENDEE_API_KEY: {{ .Values.attendee.apiKey | quote }}
  DEEPGRAM_API_KEY: {{ required "deepgram.apiKey is required" .Values.deepgram.apiKey | quote }}
  WEBHOOK_SECRET: "{{ .Values.webhookSecret }}"
""")

add("negative/terraform/main.tf", r"""
variable "deepgram_api_key" {
  type      = string
  sensitive = true
}

variable "zoom_client_secret" {
  type        = string
  sensitive   = true
  description = "Zoom S2S OAuth client secret"
}

resource "aws_ssm_parameter" "meetstream_api_key" {
  name  = "/meetstream/prod/api-key"
  type  = "SecureString"
  value = var.meetstream_api_key
}

resource "aws_lambda_function" "recorder" {
  function_name = "recorder"
  role          = aws_iam_role.recorder.arn
  handler       = "app.handler"
  runtime       = "python3.12"

  environment {
    variables = {
      DEEPGRAM_API_KEY   = var.deepgram_api_key
      ZOOM_CLIENT_SECRET = var.zoom_client_secret
      WEBHOOK_SECRET     = aws_ssm_parameter.webhook_secret.value
      MEETSO_API_KEY     = data.aws_secretsmanager_secret_version.meetso.secret_string
    }
  }
}
""")

add("negative/docker/docker-compose.yml", r"""
services:
  worker:
    image: ghcr.io/acme/recorder-worker:1.4.2
    env_file:
      - .env
    environment:
      - MEETSTREAM_API_KEY
      - ATTENDEE_API_KEY=${ATTENDEE_API_KEY}
      - ZOOM_CLIENT_SECRET=${ZOOM_CLIENT_SECRET:?ZOOM_CLIENT_SECRET must be set}
      - DEEPGRAM_API_KEY=$DEEPGRAM_API_KEY
    secrets:
      - webhook_secret
secrets:
  webhook_secret:
    file: ./secrets/webhook_secret.txt
""")

add("negative/docker/Dockerfile", r"""
# syntax=docker/dockerfile:1.7
FROM node:20-alpine
ARG DEEPGRAM_API_KEY
ENV DEEPGRAM_API_KEY=${DEEPGRAM_API_KEY}
ENV ATTENDEE_API_KEY=""
WORKDIR /app
COPY . .
RUN --mount=type=secret,id=meetstream_api_key \
    MEETSTREAM_API_KEY=$(cat /run/secrets/meetstream_api_key) npm run smoke
""")

add("negative/config/app.toml", r"""
[deepgram]
deepgram_api_key = ""

[zoom]
zoom_client_secret = "${ZOOM_CLIENT_SECRET}"

[meetso]
api_base = "https://api.meetso.ai"
MEETSO_API_KEY = "mts_live_..."

[webhooks]
webhook_secret = "CHANGE_ME_TO_A_LONG_RANDOM_STRING"
""")

add("negative/config/heroku-app.json", r"""
{
  "name": "meeting-recorder",
  "env": {
    "MEETSTREAM_API_KEY": {"description": "MeetStream API key", "required": true},
    "DEEPGRAM_API_KEY": {"description": "Deepgram key (40 hex chars)", "required": true},
    "WEBHOOK_SECRET": {"description": "Random secret", "generator": "secret"},
    "ATTENDEE_API_KEY": "YOUR_ATTENDEE_API_KEY"
  }
}
""")

add("negative/config/settings.ini", r"""
[meetstream]
api_key = %(MEETSTREAM_API_KEY)s

[deepgram]
deepgram_api_key = ${DEEPGRAM_API_KEY}

[webhooks]
webhook_secret =
""")

add("negative/config/application.properties", r"""
meetstream.api-key=${MEETSTREAM_API_KEY}
attendee.api-key=${ATTENDEE_API_KEY:}
DEEPGRAM_API_KEY=${DEEPGRAM_API_KEY}
ZOOM_CLIENT_SECRET=
""")

add("negative/config/serverless.yml", r"""
service: recorder
provider:
  name: aws
  runtime: python3.12
  environment:
    MEETSTREAM_API_KEY: ${ssm:/meetstream/prod/api-key}
    DEEPGRAM_API_KEY: ${env:DEEPGRAM_API_KEY}
    ZOOM_CLIENT_SECRET: ${self:custom.secrets.ZOOM_CLIENT_SECRET}
    WEBHOOK_SECRET: !Ref WebhookSecretParam
    ATTENDEE_API_KEY: '{{resolve:secretsmanager:attendee/api-key:SecretString:key}}'
""")

add("negative/http/attendee.http", r"""
@token = {{$dotenv ATTENDEE_API_KEY}}

### List bots
GET https://app.attendee.dev/api/v1/bots
Authorization: Token {{token}}

### Meetso
GET https://api.meetso.ai/public/v1/meetings?limit=1
Authorization: Bearer {{$processEnv MEETSO_API_KEY}}

### Zoom
POST https://zoom.us/oauth/token?grant_type=account_credentials&account_id={{accountId}}
Authorization: Basic {{zoomBasic}}
""")

# --- logs with masked credentials and high-entropy non-secrets ------------------------------
add("negative/logs/access.log", r"""
10.0.3.17 - - [03/Jun/2024:14:22:07 +0000] "POST /api/v1/bots HTTP/1.1" 201 412 "-" "python-requests/2.32.3" rt=0.284 req_id=⟦!uuid⟧
10.0.3.17 - - [03/Jun/2024:14:22:08 +0000] "POST /webhooks/meetstream HTTP/1.1" 200 2 "-" "MeetStream-Webhooks/1.0" sig="sha256=⟦!hex64⟧"
10.0.3.22 - - [03/Jun/2024:14:22:09 +0000] "GET /public/v1/meetings?limit=1 HTTP/2.0" 401 118 "-" "curl/8.5.0" auth="Authorization: Token ****"
10.0.3.22 - - [03/Jun/2024:14:22:09 +0000] "GET /public/v1/meetings?limit=1 HTTP/2.0" 401 118 "-" "curl/8.5.0" www_authenticate="Bearer realm=\"meetso\", error=\"invalid_token\""
10.0.3.40 - - [03/Jun/2024:14:22:10 +0000] "POST /oauth/token HTTP/1.1" 401 64 "-" "Go-http-client/2.0" www_authenticate="Basic realm=\"Zoom\""
10.0.3.41 - - [03/Jun/2024:14:22:11 +0000] "GET /api/v1/bots/⟦!uuid⟧/transcript HTTP/1.1" 200 90412 "-" "axios/1.7.2" etag="⟦!hex40⟧"
""")

add("negative/logs/app.log", r"""
2024-06-03T14:22:07Z DEBUG outgoing POST https://app.attendee.dev/api/v1/bots headers={'Authorization': 'Token [FILTERED]', 'Content-Type': 'application/json'}
2024-06-03T14:22:07Z DEBUG environ HTTP_AUTHORIZATION=Token ********************************
2024-06-03T14:22:08Z INFO  meetso GET /public/v1/meetings status=401 code=invalid_key request_id=⟦!req⟧ key=mts_live_****************************
2024-06-03T14:22:08Z WARN  meetstream 401 from create_bot using key ms_4Kq…9aZ (rotated?)
2024-06-03T14:22:09Z INFO  webhook verified X-MeetStream-Signature=sha256=⟦!hex64⟧ bot_id=⟦!uuid⟧
2024-06-03T14:22:09Z INFO  revoke POST /public/v1/keys/revoke body={"key_sha256": "⟦!hex64⟧"} -> 204
2024-06-03T14:22:10Z DEBUG zoom token cache hit, expires_in=3412s, token=<redacted>
2024-06-03T14:22:10Z DEBUG upstream request Authorization: Bearer <redacted>
2024-06-03T14:22:11Z INFO  deploy commit=⟦!hex40⟧ image=ghcr.io/acme/recorder@sha256:⟦!hex64⟧
""")

# --- suppressed: real-looking keys with an inline allow comment -----------------------------
add("negative/suppressed/.env", r"""
MEETSTREAM_API_KEY=⟦!ms⟧ # keyhound:allow
ATTENDEE_API_KEY=⟦!ak⟧  # gitleaks:allow
ZOOM_CLIENT_SECRET=⟦!zs⟧ #keyhound:allow revoked 2024-04
""")

add("negative/suppressed/fixtures.py", r"""
# Known-revoked keys kept for regression tests of the revoke flow.
REVOKED_MEETSO = "⟦!live⟧"  # keyhound:allow
REVOKED_HEADER = {"Authorization": "Token ⟦!tok⟧"}  # gitleaks:allow
ZOOM_BASIC = "Authorization: Basic ⟦!basic⟧"  # keyhound:allow
DEEPGRAM_API_KEY = "⟦!dg⟧"  # gitleaks:allow
""")

add("negative/suppressed/config.go", r"""
package fixtures

import "net/http"

// revoked sandbox credentials used by the integration tests
const sandboxKey = "⟦!test⟧" // keyhound:allow

func auth(r *http.Request) { r.Header.Set("Authorization", "Bearer ⟦!bear⟧") } // gitleaks:allow
""")

add("negative/suppressed/client.js", r"""
const headers = { Authorization: 'Token ⟦!tokhex⟧' }; // keyhound:allow
const WEBHOOK_SECRET = '⟦!wh⟧'; /* gitleaks:allow */
""")

add("negative/suppressed/values.yaml", r"""
env:
  MEETSO_API_KEY: ⟦!live⟧ # keyhound:allow
  WEBHOOK_SECRET: "⟦!whsec⟧" # gitleaks:allow
""")

# --- key-shaped strings that do not match the rules ---------------------------------------
add("negative/shapes/lengths.py", r"""
# Strings that look like keys but are not: wrong length, glued to identifiers, wrong alphabet.
TOO_LONG = "⟦!live70⟧"  # 70-char body
TOO_LONG_65 = "⟦!live65⟧"
TOO_SHORT = "⟦!live23⟧"
GLUED = "⟦!live⟧_staging"
GLUED_TEST = "⟦!test⟧_v2"
MS_SHORT = "⟦!ms31⟧"
MS_LONG = "⟦!ms33⟧"
MS_NO_UPPER = "⟦!mslc⟧"
MS_GLUED_AFTER = "⟦!ms⟧_old"
MS_GLUED_BEFORE = "x⟦!ms⟧"
ROOMS = "rooms_⟦!b62_32⟧"
ITEMS_CACHE_KEY = "items_⟦!b62_32⟧"
""")

add("negative/basic/zoom_oauth_example.py", r"""
# Examples from the docs -- placeholders only.
EXAMPLE_HEADER = "Authorization: Basic ⟦b64=client_id:client_secret⟧"  # base64("client_id:client_secret")
TEST_HEADER = {"Authorization": "Basic ⟦b64=user:password⟧"}
DOCS_HEADER = {"Authorization": "Basic ⟦b64=YOUR_CLIENT_ID:YOUR_CLIENT_SECRET⟧"}
PLACEHOLDER = {"Authorization": "Basic ⟦!basicph⟧"}  # real-looking id, placeholder secret
EMPTY_SECRET = {"Authorization": "Basic ⟦!basicempty⟧"}
CHALLENGE = 'WWW-Authenticate: Basic realm="Zoom", charset="UTF-8"'
TEMPLATE = "Authorization: Basic {credentials}"
TEMPLATE2 = "Authorization: Basic <base64(client_id:client_secret)>"
""")

add("negative/notebooks/demo.ipynb", r"""
{
 "cells": [
  {
   "cell_type": "code",
   "execution_count": 1,
   "metadata": {},
   "outputs": [
    {"name": "stdout", "output_type": "stream", "text": ["MeetStream key: ········\n"]}
   ],
   "source": [
    "import os, getpass\n",
    "os.environ[\"MEETSTREAM_API_KEY\"] = getpass.getpass(\"MeetStream key: \")\n",
    "headers = {\"Authorization\": f\"Token {os.environ['MEETSTREAM_API_KEY']}\"}"
   ]
  }
 ],
 "metadata": {"kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"}},
 "nbformat": 4,
 "nbformat_minor": 5
}
""")

add("negative/sql/migrations.sql", r"""
CREATE TABLE api_keys (
  id          bigserial PRIMARY KEY,
  name        text NOT NULL,
  key_sha256  char(64) NOT NULL UNIQUE,   -- Meetso stores only the SHA-256 of a key
  key_prefix  text NOT NULL,              -- e.g. 'mts_live_'
  created_at  timestamptz NOT NULL DEFAULT now()
);

INSERT INTO api_keys (name, key_sha256, key_prefix) VALUES
  ('ci', '⟦!hex64⟧', 'mts_live_'),
  ('warehouse', '⟦!hex64⟧', 'mts_live_');
""")

add("negative/json/meetso-errors.json", r"""
{
  "unauthorized": {"error": {"code": "unauthorized", "message": "Missing Authorization header", "request_id": "⟦!req⟧"}},
  "invalid_key": {"error": {"code": "invalid_key", "message": "API key not found, revoked or expired", "request_id": "⟦!req⟧"}},
  "scope_missing": {"error": {"code": "scope_missing", "message": "Key lacks scope meetings:read", "request_id": "⟦!req⟧"}},
  "revoke_request": {"key_sha256": "⟦!hex64⟧"},
  "attendee_401": {"detail": "Invalid token."},
  "next_cursor": "⟦!b62_32⟧"
}
""")

add("negative/lockfiles/package-lock.json", r"""
{
  "name": "recorder-web",
  "version": "1.4.2",
  "lockfileVersion": 3,
  "requires": true,
  "packages": {
    "node_modules/axios": {
      "version": "1.7.2",
      "resolved": "https://registry.npmjs.org/axios/-/axios-1.7.2.tgz",
      "integrity": "⟦!sri⟧"
    },
    "node_modules/node-fetch": {
      "version": "3.3.2",
      "resolved": "https://registry.npmjs.org/node-fetch/-/node-fetch-3.3.2.tgz",
      "integrity": "⟦!sri⟧"
    }
  }
}
""")

add("negative/misc/release-notes.md", r"""
## 2.3.1

- Bump the recorder image to `ghcr.io/acme/recorder@sha256:⟦!hex64⟧`.
- ⟦!hex40⟧ Rotate DEEPGRAM_API_KEY (the old key was revoked; nothing secret in this commit).
- Webhook handler now rejects deliveries whose `X-MeetStream-Signature` does not match.
- Bot `⟦!uuid⟧` no longer retries forever on `401 invalid_key`.
""")

add("negative/misc/gitleaks-report.json", r"""
[
  {
    "Description": "MeetStream API key",
    "Secret": "REDACTED",
    "Match": "Authorization: Token REDACTED",
    "File": "scripts/create_bot.sh",
    "Commit": "⟦!hex40⟧",
    "Fingerprint": "⟦!hex40⟧:scripts/create_bot.sh:meetstream-api-key:7"
  }
]
""")

# --- variable names real projects use (Zoom sample apps, signing secrets, env suffixes) ------
add("positive/zoom/webhook-sample/.env", r"""
# Zoom Marketplace app -> Feature -> Event Subscriptions -> Secret Token
ZOOM_WEBHOOK_SECRET_TOKEN=⟦zs⟧
ZOOM_VERIFICATION_TOKEN=⟦zs⟧
ZOOM_SECRET_TOKEN=⟦zs⟧
PORT=4000
""")

add("positive/zoom/config.ts", r"""
export const zoomConfig = {
  accountId: process.env.ZOOM_ACCOUNT_ID ?? "⟦!zid⟧",
  zoomS2SClientSecret: "⟦zs⟧",
  zoomAppClientSecret: process.env.ZOOM_APP_CLIENT_SECRET || "⟦zs⟧",
};
""")

add("positive/zoom/meeting-sdk-jwt/index.js", r"""
// Meeting SDK web sample (legacy JWT app): the signature is generated in the browser.
ZoomMtg.setZoomJSLib("https://source.zoom.us/2.9.5/lib", "/av");
ZoomMtg.preLoadWasm();
var API_KEY = "⟦!zid⟧";
var API_SECRET = "⟦zas⟧";
var meetingConfig = { mn: 84123456789, name: "notetaker" };
var signature = ZoomMtg.generateSDKSignature({ meetingNumber: meetingConfig.mn, sdkKey: API_KEY, sdkSecret: "⟦zas⟧", role: 0 });
""")

add("positive/zoom/astra/config.js", r"""
module.exports = {
  accountId: '⟦!zid⟧',
  clientId: '⟦!zid⟧',
  clientSecret: '⟦zas⟧',
  zoomApiBaseUrl: 'https://api.zoom.us/v2',
};
""")

add("positive/zoom/vite-app/.env.local", r"""
VITE_ZOOM_SDK_KEY=⟦!zid⟧
VITE_APP_CLIENT_SECRET=⟦zas⟧
VITE_ZOOM_MEETING_SDK_SECRET=⟦zs⟧
""")

add("positive/zoom/Get-ZoomApiCredentials.ps1", r"""
$Global:ZoomApiKey = '⟦!zid⟧'
$Global:ZoomApiSecret = '⟦zs⟧'
""")

add("positive/deepgram/transcribe.sh", r"""
#!/bin/sh
export DG_API_KEY=⟦dg⟧
curl -s -H "Authorization: Token $DG_API_KEY" https://api.deepgram.com/v1/listen -d @call.wav
""")

add("positive/zoom/bot-compose.yml", r"""
services:
  zoom-bot:
    image: vexaai/vexa-bot:latest
    environment:
      - ZOOM_CLIENT_ID=${ZOOM_CLIENT_ID:-⟦!zid⟧}
      - ZOOM_CLIENT_SECRET=${ZOOM_CLIENT_SECRET:-⟦zs⟧}
      - DEEPGRAM_API_KEY=${DEEPGRAM_API_KEY:-}
""")

add("positive/deepgram/config.json", r"""
{
  "dgKey": "⟦dg⟧",
  "port": 3000
}
""")

add("positive/misc/staging-secrets.sh", r"""
#!/bin/sh
export ZOOM_CLIENT_SECRET_PROD=⟦zs⟧
export WEBHOOK_SIGNING_SECRET=⟦wh⟧
export WEBHOOK_SECRET_KEY=⟦wh⟧
export DEEPGRAM_API_KEY_STAGING=⟦dg⟧
""")

add("negative/config/secret-refs.sh", r"""
# Where the secrets live; none of these values is a secret.
ZOOM_CLIENT_SECRET_PATH=/run/secrets/zoom_client_secret_current
ZOOM_CLIENT_SECRET_ARN=arn:aws:secretsmanager:us-east-1:123456789012:secret:zoom-client-secret-AbCdEf
WEBHOOK_SECRET_HEADER=X-Zm-Signature-Verification
ZOOM_WEBHOOK_SECRET_TOKEN_FILE=/var/run/zoom/webhook_secret_token
ZOOM_SECRET_TOKEN=${ZOOM_SECRET_TOKEN_FROM_VAULT}
WEBHOOK_SIGNING_SECRET=changeme
""")

add("negative/oauth/providers.js", r"""
// OAuth apps of the other integrations: their secrets are not meeting-bot secrets.
export const oauth = {
  google: { clientId: "⟦!zid⟧.apps.googleusercontent.com", clientSecret: "⟦!b62_32⟧" },
  github: { clientId: "⟦!zid⟧", clientSecret: "⟦!hex40⟧" },
  slack: { signingSecret: "⟦!hex64⟧", appSecret: "⟦!b62_32⟧" },
};
""")

add("negative/keypath/other-vendors.yaml", r"""
# other providers' sections, and a zoom section without a secret
stripe:
  secret_key: ⟦!b62_32⟧
google:
  secret: ⟦!b62_32⟧
zoom:
  client_id: ⟦!zid⟧
  client_secret: ${ZOOM_CLIENT_SECRET}
  webhook_secret: your-webhook-secret-here
""")

add("negative/keypath/appsettings.Development.json", r"""
{
  "Zoom": { "ClientSecret": "<from the marketplace>", "GoogleClientSecret": "⟦!b62_32⟧" },
  "Deepgram": { "ApiKey": "" }
}
""")

add("negative/flow/env_constants.py", r"""
import os

API_KEY = os.environ["MEETSTREAM_API_KEY"]
headers = {"Authorization": "Token " + API_KEY}

deepgram = DeepgramClient(os.environ["DEEPGRAM_API_KEY"])
""")

add("negative/flow/Other.java", r"""
// a key for another API, compared and used with a call
public class Other {
    private static final String STRIPE = "⟦!b62_32⟧";
    String auth() { return "Token " + keyFor(STRIPE); }
}
""")

add("negative/zoom/credentials.js", r"""
// Zoom app credentials come from the environment; other providers' secrets keep their names.
const zoom = {
  clientSecret: process.env.ZOOM_CLIENT_SECRET,
  apiSecret: config.get("zoom.apiSecret"),
  sdkSecret: "YOUR_SDK_SECRET_HERE",
  GOOGLE_CLIENT_SECRET: "⟦!b62_32⟧",
  googleClientSecret: "⟦!b62_32⟧",
};
""")

add("negative/python/bot_kwargs.py", r"""
# Keyword arguments and model fields: the value after a secret's name is code, and the
# argument on the next line is not that secret's value.
from django.db import models


class WebhookSubscription(models.Model):
    secret = models.ForeignKey(WebhookSecret, on_delete=models.PROTECT, related_name="webhook_subscriptions")
    zoom_oauth_app = models.ForeignKey(ZoomOAuthApp, on_delete=models.PROTECT, related_name="zoom_oauth_connections")


def transcriber(self):
    return DeepgramStreamingTranscriber(
        deepgram_api_key=self.deepgram_api_key,
        interim_results=True,
        language=self.bot.deepgram_language(),
    )


def rtms(self):
    return ZoomRTMSAdapter(
        zoom_client_id=self.zoom_client_id,
        zoom_client_secret=self.zoom_client_secret,
        join_payload=self.zoom_rtms,
        use_audio=True,
    )
""")

add("negative/config/empty-values.env.example", r"""
# Fill these in; an empty value never borrows the next line.
ZOOM_CLIENT_SECRET=
ZOOM_REDIRECT_URL_FOR_LOCAL=http://localhost:3000/oauth/callback
DEEPGRAM_API_KEY=
MEETSTREAM_WEBHOOK_ENDPOINT_PATH=/webhooks/meetstream/events
""")


@binary("negative/binary/cache.sqlite")
def _sqlite():
    # NUL bytes right in the header: binary, skipped even though it holds keys
    text, _ = substitute("negative/binary/cache.sqlite",
        "CREATE TABLE integrations(id INTEGER PRIMARY KEY, provider TEXT, api_key TEXT, header TEXT)\x00\x00"
        "\x03\x01meetstream\x00⟦!ms⟧\x00\x00\x04\x01meetso\x00⟦!live⟧\x00\x00"
        "\x05\x01attendee\x00Authorization: Token ⟦!tok⟧\x00"
        "\x06\x01env\x00DEEPGRAM_API_KEY=⟦!dg⟧\n\x00")
    head = b"SQLite format 3\x00" + bytes([0x10, 0x00, 0x01, 0x01, 0x00, 0x40, 0x20, 0x20]) + bytes(76)
    page = head + b"\x0d\x00\x00\x00\x04\x0f\x00\x00" + text.encode()
    return page + bytes(4096 - len(page))


@binary("negative/binary/screenshot.png")
def _png():
    import struct

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    text, _ = substitute("negative/binary/screenshot.png", "MEETSTREAM_API_KEY=⟦!ms⟧ Authorization: Bearer ⟦!live⟧")
    return (b"\x89PNG\r\n\x1a\n"
            + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0))
            + chunk(b"tEXt", b"Comment\x00" + text.encode())
            + chunk(b"IDAT", zlib.compress(b"\x00\xff\x00\x00"))
            + chunk(b"IEND", b""))


# --- flow3: value flow into Zoom SDK calls, two-step headers, positional SDK args, header keys (issue 12 §1.4) ---
# Positives are reported at the literal; the use site (another line) names the provider.
KINDS["baas"] = ("meetingbaas-api-key", _same(lambda r: hexs(r, 64)))  # Meeting BaaS API key

_FLOW3_FILLER = "// ----------------------------------------------------------------------------\n" * 16

add("positive/flow3/zoom/meeting.js", r"""
// Meeting SDK signature endpoint
let secret = "⟦zas⟧";
const sdkKey = "⟦!zid⟧";

export function signature(meetingNumber, role) {
  return ZoomMtg.generateSDKSignature({ sdkKey, sdkSecret: secret, meetingNumber, role });
}
""")

add("positive/flow3/zoom/video.ts", r"""
const SDK_SECRET: string = "⟦zas⟧";
""" + _FLOW3_FILLER + r"""
import ZoomVideo from "@zoom/videosdk";
import { KJUR } from "jsrsasign";

export function videoSignature(topic: string): string {
  const oHeader = { alg: "HS256", typ: "JWT" };
  const oPayload = { app_key: KEY, tpc: topic, role_type: 1 };
  return KJUR.jws.JWS.sign("HS256", JSON.stringify(oHeader), JSON.stringify(oPayload), SDK_SECRET);
}
""")

add("positive/flow3/zoom/legacy.js", r"""
var apiKey = "⟦!zid⟧";
var apiSecret = '⟦zas⟧';
""" + _FLOW3_FILLER + r"""
// Zoom Web SDK (legacy JWT apps)
var signature = generateSignature(apiKey, apiSecret, meetingNumber, 0);
""")

add("positive/flow3/zoom/client.js", r"""
const sdkSecret = "⟦zas⟧";
""" + _FLOW3_FILLER + r"""
import { ZoomMtg } from "@zoom/meetingsdk";

ZoomMtg.init({
  leaveUrl: "/",
  success: () => ZoomMtg.join({ sdkKey, sdkSecret, meetingNumber, signature }),
});
""")

add("positive/flow3/zoom/sign.py", r"""
# Zoom Meeting SDK JWT
SECRET = "⟦zas⟧"

def sdk_jwt(sdk_key, meeting):
    return zoom_sdk.sign(sdk_key=sdk_key, sdk_secret=SECRET, meeting=meeting)
""")

add("positive/flow3/headers/Bots.java", r"""
package bots;

// MeetStream client (https://api.meetstream.ai/api/v1)
public final class Bots {
    private static final String API_KEY = "⟦tok⟧";

    HttpURLConnection open(URL url) throws IOException {
        HttpURLConnection conn = (HttpURLConnection) url.openConnection();
        String auth = "Token " + API_KEY;
        conn.setRequestProperty("Authorization", auth);
        return conn;
    }
}
""")

add("positive/flow3/headers/Bots.scala", r"""
// Attendee (https://app.attendee.dev)
object Bots {
  val BotKey = "⟦tok⟧"
  def request(uri: Uri) = basicRequest.get(uri).header("Authorization", s"Token $BotKey")
}
""")

add("positive/flow3/headers/Bots.kt", r"""
// https://app.attendee.dev/api/v1
const val KEY = "⟦tok⟧"

fun headers(): Map<String, String> {
    val auth = "Token $KEY"
    return mapOf("Authorization" to auth)
}
""")

add("positive/flow3/headers/bots.go", r"""
package bots

// https://api.meetstream.ai/api/v1
var apiKey = "⟦tok⟧"

func authorize(req *http.Request) {
	req.Header.Set("Authorization", "Token "+apiKey)
}
""")

add("positive/flow3/headers/bots.c", r"""
/* Attendee REST client (https://app.attendee.dev) */
static const char *API_KEY = "⟦tok⟧";

void auth_header(char *buf, size_t n) {
    snprintf(buf, n, "Authorization: Token %s", API_KEY);
}
""")

add("positive/flow3/headers/bots.cpp", r"""
// https://api.meetstream.ai/api/v1
std::string key = "⟦tok⟧";

curl_slist *auth(curl_slist *headers) {
    return curl_slist_append(headers, ("Authorization: Token " + key).c_str());
}
""")

add("positive/flow3/headers/Bots.cs", r"""
// https://app.attendee.dev
public class Bots {
    private const string ApiKey = "⟦tok⟧";

    public Bots(HttpClient client) {
        var auth = new AuthenticationHeaderValue("Token", ApiKey);
        client.DefaultRequestHeaders.Authorization = auth;
    }
}
""")

add("positive/flow3/headers/bots.py", r"""
# https://api.meetstream.ai/api/v1
MEETSTREAM_TOKEN_VALUE = "⟦tok⟧"
BOT_KEY = "⟦tok⟧"

auth = f"Token {MEETSTREAM_TOKEN_VALUE}"
session.headers["Authorization"] = auth
legacy = {"Authorization": "Token %s" % BOT_KEY}
""")

add("positive/flow3/headers/bots.ts", r"""
// https://app.attendee.dev/api/v1
const KEY = "⟦tok⟧";

export const client = axios.create({
  headers: { Authorization: `Token ${KEY}` },
});
""")

add("positive/flow3/headers/bots.rb", r"""
# https://api.meetstream.ai/api/v1
BOT_TOKEN = "⟦tok⟧".freeze

request["Authorization"] = "Token #{BOT_TOKEN}"
""")

add("positive/flow3/headers/bots.php", r"""
<?php
// https://app.attendee.dev
define('ATTENDEE_BOT', '⟦tok⟧');
$key = '⟦tok⟧';

$legacy = ['Authorization' => 'Token ' . ATTENDEE_BOT];
curl_setopt($ch, CURLOPT_HTTPHEADER, ["Authorization: Token $key"]);
""")

add("positive/flow3/html/prerecorded.html", r"""
<!DOCTYPE html>
<html>
  <head>
    <script src="../../dist/umd/deepgram.js"></script>
    <script>
      const { createClient } = deepgram;
      const _client = createClient("⟦dgsdk⟧", {
        global: { fetch: { options: { url: "https://api.mock.deepgram.com" } } },
      });
    </script>
  </head>
  <body>Running test... check the developer console.</body>
</html>
""")

add("positive/flow3/html/live.html", r"""
<script src="https://cdn.jsdelivr.net/npm/@deepgram/sdk"></script>
<script>
  const live = deepgram.createClient("⟦dgsdk⟧").listen.live({ model: "nova-2" });
</script>
""")

add("positive/flow3/html/node.mjs", r"""
import { createClient } from "@deepgram/sdk";

const client = createClient("⟦dgsdk⟧", {});
""")

add("positive/flow3/html/legacy.py", r"""
from deepgram import DeepgramClient

client = DeepgramClient(api_key="⟦dgsdk⟧")
""")

add("positive/flow3/baas/bot.js", r"""
const KEY = "⟦baas⟧";

export async function joinMeeting(url) {
  return fetch("https://api.meetingbaas.com/bots", {
    method: "POST",
    headers: { "Content-Type": "application/json", "x-meeting-baas-api-key": "⟦baas⟧" },
    body: JSON.stringify({ meeting_url: url }),
  });
}

export const legacy = { "x-spoke-api-key": KEY };
""")

add("positive/flow3/baas/request.json", r"""
{
  "url": "https://api.meetingbaas.com/bots",
  "headers": {
    "x-meeting-baas-api-key": "⟦baas⟧"
  }
}
""")

add("positive/flow3/baas/join.sh", r"""
#!/bin/sh
curl -X POST https://api.meetingbaas.com/bots \
  -H "x-meeting-baas-api-key: ⟦baas⟧" \
  -d '{"meeting_url": "https://meet.google.com/abc-defg-hij"}'
""")

add("positive/flow3/baas/bot.py", r"""
import requests

requests.post("https://api.meetingbaas.com/bots", headers={"x-spoke-api-key": "⟦baas⟧"}, json=body)
""")

# look-alikes: the same shapes with values that are no literal, placeholders, other vendors
add("negative/flow3/zoom/env.js", r"""
import { ZoomMtg } from "@zoom/meetingsdk";

const sdkSecret = process.env.ZOOM_MEETING_SDK_SECRET;
let secret = import.meta.env.VITE_ZOOM_SDK_SECRET;

ZoomMtg.init({ leaveUrl: "/", success: () => ZoomMtg.join({ sdkKey, sdkSecret }) });
const signature = generateSignature(sdkKey, secret, meetingNumber, 0);
const jwt = KJUR.jws.JWS.sign("HS256", header, payload, process.env.ZOOM_SDK_SECRET);
""")

add("negative/flow3/zoom/params.ts", r"""
// Zoom Video SDK: the secret arrives as a parameter, never as a literal
export function sign(sdkKey: string, sdkSecret: string, topic: string) {
  return KJUR.jws.JWS.sign("HS256", header(), payload(sdkKey, topic), sdkSecret);
}

export function legacy(apiKey: string, apiSecret: string) {
  return generateSignature(apiKey, apiSecret, 123456789, 0);
}
""")

add("negative/flow3/zoom/placeholder.js", r"""
// Zoom Meeting SDK sample: paste your credentials
let secret = "YOUR_SDK_SECRET_HERE";
const SDK_SECRET = "<your zoom sdk secret>";
ZoomMtg.init({ sdkKey: "YOUR_SDK_KEY", sdkSecret: secret });
KJUR.jws.JWS.sign("HS256", h, p, SDK_SECRET);
""")

add("negative/flow3/zoom/other_sdk.js", r"""
// Agora / Stripe: the same shapes, another vendor's secret
let secret = "⟦!b62_32⟧";
const appSecret = "⟦!b62_32⟧";
stripe.init({ apiSecret: secret });
agora.join({ appId, appSecret, channel });
const token = generateSignature(appId, secret, channel, 0);
""")

add("negative/flow3/zoom/sign.py", r"""
import os

# Zoom Meeting SDK
SECRET = os.environ["ZOOM_SDK_SECRET"]

def sdk_jwt(sdk_key, meeting):
    return zoom_sdk.sign(sdk_key=sdk_key, sdk_secret=SECRET, meeting=meeting)
""")

add("negative/flow3/headers/Bots.java", r"""
// MeetStream client (https://api.meetstream.ai/api/v1)
public final class Bots {
    private static final String API_KEY = System.getenv("MEETSTREAM_API_KEY");

    HttpURLConnection open(URL url, String key) throws IOException {
        HttpURLConnection conn = (HttpURLConnection) url.openConnection();
        String auth = "Token " + API_KEY;
        conn.setRequestProperty("Authorization", auth);
        String other = "Token " + key;
        conn.setRequestProperty("Authorization", other);
        return conn;
    }
}
""")

add("negative/flow3/headers/bots.py", r"""
import os

# https://app.attendee.dev
KEY = os.environ["ATTENDEE_API_KEY"]
auth = f"Token {KEY}"
headers = {"Authorization": auth}

def for_key(key):
    value = "Token " + key
    return {"Authorization": value}

raw = "⟦!hex40⟧"
no_scheme = {"Authorization": raw}
""")

add("negative/flow3/headers/bots.go", r"""
package bots

// https://api.meetstream.ai/api/v1
var apiKey = os.Getenv("MEETSTREAM_API_KEY")

func authorize(req *http.Request) {
	req.Header.Set("Authorization", "Token "+apiKey)
}
""")

add("negative/flow3/headers/Bots.kt", r"""
// https://app.attendee.dev/api/v1
val key: String = System.getenv("ATTENDEE_API_KEY") ?: error("missing")
val auth = "Token $key"
val headers = mapOf("Authorization" to auth)
""")

add("negative/flow3/headers/bots.php", r"""
<?php
define('ATTENDEE_BOT', getenv('ATTENDEE_API_KEY'));
$key = $_ENV['MEETSTREAM_API_KEY'];
$headers = ["Authorization: Token $key", 'Authorization: Token ' . ATTENDEE_BOT];
""")

add("negative/flow3/headers/fixture_test.py", r"""
# unit test fixture for a local mock server
API_KEY = "dummy-token-for-unit-tests-000"
BASE = "http://127.0.0.1:8080"

def test_header():
    assert client_headers(API_KEY) == {"Authorization": "Token " + API_KEY}
""")

add("negative/flow3/headers/placeholder.ts", r"""
// https://api.meetstream.ai/api/v1
const KEY = "YOUR_API_KEY_HERE_12345";
const auth = `Token ${KEY}`;
headers.set("Authorization", auth);
""")

add("negative/flow3/html/index.html", r"""
<script src="../../dist/umd/deepgram.js"></script>
<script>
  const { createClient } = deepgram;
  const _deepgram = createClient("deepgram-api-key", { global: { url: "https://api.mock.deepgram.com" } });
  const fromInput = createClient(document.getElementById("key").value);
</script>
""")

add("negative/flow3/html/supabase.js", r"""
import { createClient } from "@supabase/supabase-js";

// transcripts from deepgram are stored in supabase
export const supabase = createClient("https://xyzcompany.supabase.co", "⟦!hex40⟧");
""")

add("negative/flow3/baas/bot.js", r"""
export const headers = { "x-meeting-baas-api-key": process.env.MEETING_BAAS_API_KEY };
export const legacy = { "x-spoke-api-key": "YOUR-API-KEY" };
// another vendor's api-key header
export const acme = { "x-api-key": "⟦!hex64⟧", "x-acme-api-key": "⟦!hex64⟧" };
""")

add("negative/flow3/baas/bot.py", r"""
import os

headers = {"x-meeting-baas-api-key": os.environ["MEETING_BAAS_API_KEY"]}
""")


# --- placeholder: prose placeholders are silent, local-server fixtures are reported (issue 12 §1) ---
# Real-shaped keys that contain a word: a word glued to a random tail, hex that starts with
# `abc` or holds a run. They must stay reported next to the stand-ins below.
KINDS["livepa55"] = ("meetso-live-key", _same(lambda r: "mts_live_Pa55word" + b62(r, 27)))
KINDS["zsword"] = ("env-secret", _same(lambda r: "Secret" + b62(r, 26)))
KINDS["tokabc"] = ("authorization-token", _same(lambda r: "abc" + hexs(r, 37)))
KINDS["dgrun"] = ("env-secret", _same(lambda r: hexs(r, 17) + "11111" + hexs(r, 18)))

# Meetso-prefixed stand-ins the negatives below hold: the self-check's reference regex
# would take them for keys.
MEETSO_STAND_INS = {
    "mts_live_XXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX",
    "mts_live_YourMeetsoApiKeyGoesHere123",
    "mts_live_mysupersecretmeetsokey2024",
    "mts_live_thisisnotarealkeyjustatest1",
    "mts_live_SomethingSecretAndLong2024",
}

add("negative/placeholder/.env.example", r"""
# Fill these in from the dashboards; every value below is a stand-in.
MEETSO_API_KEY=mts_live_your_key_here
MEETSO_API_KEY_STAGING=mts_live_XXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX
MEETSO_API_KEY_CI=mts_live_YourMeetsoApiKeyGoesHere123
MEETSTREAM_API_KEY=your-secret-here
ATTENDEE_API_KEY="any random string 123"
ZOOM_CLIENT_SECRET=anyrandomstring123
ZOOM_WEBHOOK_SECRET_TOKEN=changeme
DEEPGRAM_API_KEY=bluehorse42bluehorse42
WEBHOOK_SIGNING_SECRET=correcthorsebatterystaple
MEETSTREAM_WEBHOOK_SECRET=supersecretpassword2024
""")

add("negative/placeholder/workflow.yml", r"""
name: bots
on: [push]
jobs:
  test:
    runs-on: ubuntu-latest
    env:
      MEETSTREAM_API_KEY: ${{ secrets.MEETSTREAM_API_KEY }}
      ATTENDEE_API_KEY: "{{ attendee_api_key }}"
      DEEPGRAM_API_KEY: test-token-1
    steps:
      - run: make test
---
zoom:
  client_secret: "<from the dashboard>"
  webhook_secret: my-super-secret-token
deepgram:
  api_key: superSecretDeepgramValue42
""")

add("negative/placeholder/appsettings.json", r"""
{
  "Zoom": { "ClientSecret": "MyZoomClientSecret2024", "WebhookSecretToken": "[YOUR KEY]" },
  "Meetso": { "ApiKey": "mts_live_mysupersecretmeetsokey2024" },
  "Deepgram": { "ApiKey": "%DEEPGRAM_API_KEY%" }
}
""")

add("negative/placeholder/client.py", r"""
import requests
from deepgram import DeepgramClient

# Replace the stand-ins before running the sample.
MEETSO_KEY = "mts_live_thisisnotarealkeyjustatest1"
headers = {"Authorization": "Token insert_your_api_key"}  # MeetStream
requests.get("https://api.meetstream.ai/api/v1/bots", headers={"Authorization": "Token your-meetstream-api-key"})
deepgram = DeepgramClient("replace-me-with-real-key")
ZOOM_CLIENT_SECRET = "somelongsecretvalue2024"
""")

add("negative/placeholder/bot.js", r"""
// Zoom Meeting SDK sample: put your own values in .env, these are stand-ins.
const zoomConfig = { sdkKey: "yourSdkKey", sdkSecret: "my-super-secret-token" };
fetch("https://api.meetso.ai/public/v1/meetings", {
  headers: { Authorization: "Bearer somelongsecretvalue2024" },
});
const attendee = { headers: { Authorization: `Token ${process.env.ATTENDEE_API_KEY}` } };
const ZOOM_CLIENT_SECRET = "password1";
""")

add("negative/placeholder/client.go", r"""
package meetstream

// meetstreamAPIKey is a stand-in: the real one comes from the environment.
const meetstreamAPIKey = "anyrandomstring123"

func auth(req *http.Request) {
	req.Header.Set("Authorization", "Token "+meetstreamAPIKey)
}

var deepgramAPIKey = "secret123secret123"
""")

add("negative/placeholder/README.md", r"""
# Meeting bot quickstart

1. Set `MEETSTREAM_API_KEY=<from the dashboard>` in `.env`.
2. On Windows: `set ZOOM_CLIENT_SECRET=%ZOOM_CLIENT_SECRET%`.
3. Call the API:

```sh
curl -H 'Authorization: Token your-attendee-api-key' https://app.attendee.dev/api/v1/bots
curl -H 'Authorization: Bearer mts_live_YourMeetsoApiKeyGoesHere123' https://api.meetso.ai/public/v1/meetings
```

| Variable | Example |
| --- | --- |
| `DEEPGRAM_API_KEY` | `bluehorse42bluehorse42` |
""")

add("negative/placeholder/run.sh", r"""
#!/bin/sh
# Local run with stand-in credentials.
export MEETSO_API_KEY=mts_live_SomethingSecretAndLong2024
export ZOOM_CLIENT_SECRET="replace-me-with-real-key"
curl -s -H "Authorization: Bearer secret123secret123secret" https://api.meetso.ai/public/v1/meetings
curl -s -H "Authorization: Basic ⟦b64=Zq4XkP2mTw8LrN6vBy1c:supersecretpassword2024⟧" https://zoom.us/oauth/token
""")

add("negative/placeholder/Dockerfile", r"""
FROM python:3.12-slim
ARG DEEPGRAM_API_KEY=bluehorse42bluehorse42
ENV ZOOM_CLIENT_SECRET=replace-me-with-real-key
ENV MEETSTREAM_API_KEY=insert_your_api_key
ENV MEETSO_API_KEY=mts_live_YourMeetsoApiKeyGoesHere123
CMD ["python", "bot.py"]
""")

add("positive/placeholder/.env", r"""
# stand-ins next to real-shaped keys: only the keys are reported
MEETSO_API_KEY_EXAMPLE=mts_live_your_key_here
MEETSO_API_KEY=⟦live⟧
MEETSO_API_KEY_OLD=⟦livepa55⟧
ZOOM_CLIENT_SECRET_EXAMPLE=anyrandomstring123
ZOOM_CLIENT_SECRET=⟦zsword⟧
DEEPGRAM_API_KEY_EXAMPLE=bluehorse42bluehorse42
DEEPGRAM_API_KEY=⟦dgrun⟧
""")

add("positive/placeholder/client.py", r"""
# Attendee client: the first header is the docs' stand-in, the second a real key.
DOCS = {"Authorization": "Token insert_your_api_key"}
HEADERS = {"Authorization": "Token ⟦tokabc⟧"}  # https://app.attendee.dev
""")

add("positive/placeholder/config.yaml", r"""
zoom:
  client_secret: "<from the dashboard>"
  webhook_secret: ⟦zs⟧
deepgram:
  api_key: ⟦dg⟧
""")

add("positive/placeholder/appsettings.json", r"""
{
  "Zoom": { "ClientSecret": "⟦zsword⟧", "Example": "MyZoomClientSecret2024" },
  "Meetso": { "ApiKey": "⟦live⟧" }
}
""")

add("positive/placeholder/Dockerfile", r"""
FROM node:20
ENV ZOOM_CLIENT_SECRET=replace-me-with-real-key
ENV DEEPGRAM_API_KEY=⟦dgrun⟧
""")

add("positive/placeholder/client.go", r"""
package meetstream

const docsKey = "anyrandomstring123"
const apiKey = "⟦tokabc⟧"

func auth(req *http.Request) {
	req.Header.Set("Authorization", "Token "+apiKey) // api.meetstream.ai
}
""")

add("positive/placeholder/README.md", r"""
Replace `mts_live_YourMeetsoApiKeyGoesHere123` with your key. Leaked in an old revision:

    curl -H 'Authorization: Bearer ⟦live⟧' https://api.meetso.ai/public/v1/meetings
""")

# a test fixture for a local server is still reported (at low severity: tests/fixtures.rs)
add("positive/curl/tests/data/test1801", r"""
<testcase>
<client>
<command>
http://%HOSTIP:%HTTPPORT/api/v1/bots -H "Authorization: Token ⟦tok#curl1801⟧"
</command>
</client>
<verify>
<protocol>
GET /api/v1/bots HTTP/1.1
Host: %HOSTIP:%HTTPPORT
Authorization: Token ⟦tok#curl1801⟧
</protocol>
</verify>
</testcase>
""")


# --- prose: prose labels, comparisons and logs (issue 12 §1.3, §1.5) -------------------------
# A credential name written as a label (Markdown, reStructuredText, AsciiDoc, HTML, plain
# text, chat, comments, docstrings, logs) or compared with a literal, in a document or on a
# line about the provider. Negatives: other vendors' secrets under the same labels,
# placeholders, descriptions of the field, table headers, generic names with no provider.
add("positive/prose/zoom-app-setup.md", r"""
# Zoom Server-to-Server OAuth app

Created for the recorder bot (see the Zoom App Marketplace).

| Field | Value |
|---|---|
| Account ID | ⟦!zid⟧ |
| Client ID | ⟦!zid⟧ |
| Client Secret | ⟦zas⟧ |

**Secret Token**: ⟦zs⟧
- `Client Secret`: `⟦zs⟧`
- Zoom Verification Token: ⟦zs⟧

Meeting SDK
: ⟦!zid⟧ is the SDK key.

Client Secret
: ⟦zas⟧
""")

add("positive/prose/credentials.rst", r"""
Zoom Meeting SDK
================

:Client Secret: ⟦zas⟧

Client Secret
    ⟦zas⟧

Deepgram
--------

Deepgram API key: ``⟦dg⟧``
""")

add("positive/prose/handover.txt", r"""
Handover notes - recording bot (Zoom + Deepgram + Attendee)

Zoom client secret: ⟦zs⟧
MeetStream API key = ⟦ak⟧
Attendee API Key - ⟦ak⟧
the Deepgram API key is in the vault; the old one was: ⟦!hex40⟧
""")

add("positive/prose/Deepgramm.txt", r"""
Deepgramm API key: ⟦dg⟧
""")

add("negative/placeholder/stand-ins.env", r"""
# stand-ins framed by "your ... here", and descriptions of the value (livekit/agents style)
DEEPGRAM_API_KEY=your_deepgram_key_here
ZOOM_CLIENT_SECRET=YourZoomClientSecretHere
MEETSTREAM_API_KEY="meetstream api key"
ATTENDEE_API_KEY = "your attendee token"
WEBHOOK_SECRET=paste_the_signing_secret_here
""")

add("negative/prose/deepgramm-notes.txt", r"""
Deepgramm API key: see 1Password (vault "recording bot")
Deepgramm API key: <paste yours here>
deepgrammodel: nova-2
Deepgramm project id: 7d1e0c9a
""")

add("positive/prose/credentials.adoc", r"""
= Bot credentials
:zoom-client-secret: ⟦zs⟧

Zoom Client Secret:: ⟦zs⟧
Deepgram API Key:: `⟦dg⟧`
""")

add("positive/prose/zoom-app.html", r"""
<h2>Zoom Marketplace app</h2>
<dl>
  <dt>Client Secret</dt>
  <dd>⟦zas⟧</dd>
</dl>
<table><tr><td>Secret Token</td><td><code>⟦zas⟧</code></td></tr></table>
<p><strong>Client Secret:</strong> ⟦zas⟧</p>
""")

add("positive/prose/issue-1234.md", r"""
**Bug**: the Zoom webhook fails validation since Monday

Steps: send any event. Using Zoom webhook secret token: ⟦zs⟧
Expected 200, got 401.
""")

add("positive/prose/support-chat.log", r"""
[10:02] <dana> here's the deepgram api key: ⟦dg⟧
[10:03] <lee> thx, and the zoom one?
[10:03] <dana> Client Secret: ⟦zas⟧
""")

add("positive/prose/webhook.js", r"""
// Zoom webhook handler
// Secret Token: ⟦zas⟧
export function verify(req) {
  if (req.body.secretToken !== '⟦zas⟧') {
    throw new Error("bad token");
  }
  console.log('Secret Token: ⟦zas⟧');
}
""")

add("positive/prose/verify.ts", r"""
export function check(secret: string): void {
  if (secret !== '⟦zs⟧') { // zoom webhook
    throw new Error('unauthorized');
  }
}
""")

add("positive/prose/test_webhook.py", r'''
"""Zoom webhook tests.

Secret Token: ⟦zas⟧
"""


def test_token(zoom_secret_token):
    assert zoom_secret_token == "⟦zs⟧"
    print(f"Deepgram key: ⟦dg⟧")
''')

add("positive/prose/WebhookTest.java", r"""
// Zoom webhook
class WebhookTest {
    void check(String secretToken) {
        if (!"⟦zas⟧".equals(secretToken)) {
            throw new IllegalStateException();
        }
        log.info("zoom client secret={}", "⟦zs⟧");
    }
}
""")

add("positive/prose/handler.go", r"""
package bot

// Deepgram transcription
func check(deepgramKey string) {
	if deepgramKey != "⟦dg⟧" {
		log.Printf("Deepgram API key: %s", "⟦dg⟧")
	}
}
""")

add("positive/prose/Webhook.cs", r"""
// Zoom webhook
public class Webhook {
    public bool Check(string secretToken) {
        _logger.LogDebug("Client Secret: {Secret}", "⟦zas⟧");
        return secretToken == "⟦zas⟧";
    }
}
""")

add("positive/prose/webhook.rb", r"""
# Zoom webhook
def verify(params)
  halt 401 unless params[:secret_token] == "⟦zas⟧"
  puts "Zoom client secret: ⟦zs⟧"
end
""")

add("positive/prose/webhook.php", r"""
<?php
// Zoom webhook
if ($secretToken === '⟦zas⟧') {
    error_log("Deepgram API key: ⟦dg⟧");
}
""")

add("positive/prose/Webhook.kt", r"""
// Zoom webhook
fun verify(secretToken: String) {
    if (secretToken == "⟦zas⟧") return
    println("Zoom Client Secret: ⟦zs⟧")
}
""")

add("positive/prose/bot.log", r"""
2024-05-01T10:00:00Z DEBUG zoom client secret=⟦zs⟧
2024-05-01T10:00:01Z INFO Deepgram API key: ⟦dg⟧
2024-05-01T10:00:02Z DEBUG calling app.attendee.dev with Authorization: Token ⟦tok⟧
""")

add("positive/prose/bots-inventory.md", r"""
Inventory of the meeting bots' Zoom apps and transcription keys.

| Environment | **Client Secret** | Deepgram API Key | Owner |
|---|:---|---|---|
| prod | `⟦zas⟧` | ⟦dg⟧ | dana |
| staging | <ask Dana> | - | lee |

## Attendee

- API Key: `⟦ak⟧`
- Base URL: https://app.attendee.dev

MeetStream
----------

**API Key**: ⟦ak⟧

<h3>Zoom</h3>
| Name | Secret |
|---|---|
| s2s | ⟦zs⟧ |
""")

add("negative/prose/vendors-inventory.md", r"""
# Payment and auth vendors

| Environment | Client Secret | API Key |
|---|---|---|
| prod | ⟦!b62_32⟧ | ⟦!b62_32⟧ |

## Stripe

- API Key: ⟦!b62_32⟧
- Secret: ⟦!b62_32⟧

## Attendee

- API Key: <your Attendee API key>
- API Key: your-api-key-here
- Secret: Found on the API Keys page
- Account ID: ⟦!b62_19⟧
""")

add("negative/prose/stripe-setup.md", r"""
# Payments setup

**Client Secret**: ⟦!b62_32⟧
Stripe Secret Key: sk_live_⟦!b62_32⟧
Webhook Secret: whsec_⟦!b62_32⟧
AWS Secret Access Key: ⟦!b62_32⟧
| Secret Token | ⟦!b62_32⟧ |
""")

add("negative/prose/zoom-fields.md", r"""
# Configure the Zoom app

1. Open the Zoom App Marketplace.
2. **Client Secret**: the secret from the Zoom marketplace
3. Client Secret: Found in the App Credentials page
4. Client Secret: <your client secret>

- Secret Token: your-secret-here
- Secret Token: xxxxxxxxxxxxxxxxxxxx
- Client Secret: ********
- Zoom Client Secret: `ZOOM_CLIENT_SECRET`
- Client Secret: internationalization
- Client Secret: abababababababababab

| Client Secret | Description |
|---|---|
| Client Secret | Copy it from the App Credentials page |
| Client Secret | ApplicationCredentials |

Google Client Secret: ⟦!b62_32⟧
Stripe Client Secret: ⟦!b62_32⟧
the GitHub OAuth Client Secret: ⟦!b62_32⟧
""")

add("negative/prose/fields.rst", r"""
Zoom
====

:Client Secret: <client secret from the Marketplace>

Client Secret
    The secret shown on the App Credentials page.
""")

add("negative/prose/fields.html", r"""
<h2>Zoom Marketplace app</h2>
<dl>
  <dt>Client Secret</dt>
  <dd>Found in the App Credentials page</dd>
</dl>
<table><tr><th>Client Secret</th><th>Secret Token</th></tr></table>
""")

add("negative/prose/compare.js", r"""
if (secret !== '⟦!b62_32⟧') {}
if (stripeSecret !== '⟦!b62_32⟧') {}
if (token === '⟦!b62_32⟧') {}
// zoom below, but the identifier is no credential name
if (userId === '⟦!b62_32⟧') {} // zoom
if (googleClientSecret === '⟦!b62_32⟧') {} // zoom
console.log('Secret Token: ' + token); // zoom
""")

add("negative/prose/test_settings.py", r'''
"""Zoom settings tests."""
import os


def test_secret_from_env(settings):
    assert settings.zoom_client_secret == os.environ["ZOOM_CLIENT_SECRET"]
    print(f"Deepgram key: {settings.deepgram_api_key[:4]}…")
''')

add("negative/prose/Compare.java", r"""
// Zoom webhook
class Compare {
    boolean check(String secretToken) {
        log.info("zoom client secret={}", redact(secret));
        log.info("Client Secret: {}", "<redacted>");
        return secretToken.equals(System.getenv("ZOOM_SECRET_TOKEN"));
    }
}
""")

add("negative/prose/compare.go", r"""
package bot

// Deepgram
func check(deepgramKey string) bool {
	log.Printf("Deepgram API key: %s", redact(deepgramKey))
	return deepgramKey == os.Getenv("DEEPGRAM_API_KEY")
}
""")

add("negative/prose/Compare.cs", r"""
// Zoom webhook
public bool Check(string secretToken) =>
    secretToken == Environment.GetEnvironmentVariable("ZOOM_SECRET_TOKEN");
""")

add("negative/prose/compare.rb", r"""
# Zoom webhook
halt 401 unless params[:secret_token] == ENV.fetch("ZOOM_SECRET_TOKEN")
puts "Zoom client secret: #{ENV['ZOOM_CLIENT_SECRET'][0, 4]}…"
""")

add("negative/prose/compare.php", r"""
<?php
// Zoom webhook
if ($secretToken === getenv('ZOOM_SECRET_TOKEN')) {
    error_log("Deepgram API key: " . substr($key, 0, 4));
}
""")

add("negative/prose/Compare.kt", r"""
// Zoom webhook
fun verify(secretToken: String) = secretToken == System.getenv("ZOOM_SECRET_TOKEN")
""")

add("negative/prose/app.log", r"""
2024-05-01T10:00:00Z INFO zoom client secret=******** (redacted)
2024-05-01T10:00:01Z INFO Deepgram API key: dg_…redacted
2024-05-01T10:00:02Z DEBUG Secret Token: <hidden>
""")


# ========================================================================================
# build, self-check, write
# ========================================================================================
DOC_EXAMPLE = "mts_live_aB3xKp9NzQwErTyUiOpAsDfGhJkLmNbVcXz"
ALLOW = re.compile(r"(keyhound|gitleaks):allow")
CONTEXT_FREE = {
    "meetso-live-key": re.compile(r"mts_live_[A-Za-z0-9]{24,64}(?![A-Za-z0-9_])"),
    "meetso-test-key": re.compile(r"mts_test_[A-Za-z0-9]{24,64}(?![A-Za-z0-9_])"),
    "meetstream-api-key": re.compile(r"(?<![A-Za-z0-9_])ms_[A-Za-z0-9]{32}(?![A-Za-z0-9_])"),
}


def build():
    """Return ({path: bytes}, [(rule, path, line, secret)])."""
    _named.clear()
    files, expected = {}, []
    for path, template, o in FILES:
        text, found = substitute(path, template)
        assert not (found and path.startswith("negative/")), f"{path}: negative file with expected findings"
        if o["crlf"]:
            text = text.replace("\n", "\r\n")
        data = text.encode(o["encoding"])
        if o["bom"]:
            data = b"\xef\xbb\xbf" + data
        assert path not in files, f"duplicate path {path}"
        files[path] = data
        expected += [(rule, path, line, secret) for rule, line, secret in found]
    for path, builder in BINARIES:
        files[path] = builder()
    return files, expected


def self_check(files, expected):
    problems = []
    keys = [(r, p, l, s) for r, p, l, s in expected]
    if len(set(keys)) != len(keys):
        problems.append("duplicate (rule, path, line, secret) entries")
    by_file = {}
    for r, p, l, s in expected:
        by_file.setdefault(p, []).append((r, l, s))
    texts = dict((p, d) for p, d in files.items() if b"\x00" not in d[:8192])
    with open(os.path.abspath(__file__), "rb") as f:
        texts["gen.py"] = f.read()
    for path, data in files.items():
        if path not in texts:
            assert path.startswith("negative/binary/"), f"{path} unexpectedly binary"
    for path, data in texts.items():
        lines = data.decode("utf-8", errors="replace").split("\n")
        # 1. context-free rules: every occurrence must be labelled, every label must occur
        got = set()
        for n, line in enumerate(lines, 1):
            if ALLOW.search(line):
                continue
            for rule, rx in CONTEXT_FREE.items():
                for m in rx.finditer(line):
                    s = m.group(0)
                    if s.startswith(DOC_EXAMPLE):
                        continue  # the documentation example (also its scraped, glued form)
                    if s in MEETSO_STAND_INS:
                        continue  # prose placeholders with a Meetso prefix (placeholder section)
                    if rule == "meetstream-api-key" and not (
                            re.search("[A-Z]", s[3:]) and re.search("[a-z]", s[3:]) and re.search("[0-9]", s[3:])):
                        continue
                    got.add((rule, n, s))
        want = set((r, l, s) for r, l, s in by_file.get(path, []) if r in CONTEXT_FREE)
        for x in sorted(got - want):
            problems.append(f"{path}:{x[1]}: unlabelled {x[0]} {x[2]}")
        for x in sorted(want - got):
            problems.append(f"{path}:{x[1]}: labelled {x[0]} not found by the reference regex")
        # 2. every label points at a line that really holds the secret
        for r, l, s in by_file.get(path, []):
            line = lines[l - 1] if l - 1 < len(lines) else ""
            if r == "basic-auth":
                ok = any(
                    base64.b64decode(t + "==").decode("latin-1").partition(":")[2] == s
                    for t in re.findall(r"Basic ([A-Za-z0-9+/=]{8,})", line)
                )
            else:
                ok = s in line
            if not ok:
                problems.append(f"{path}:{l}: label {r} secret not on that line")
        # 3. JSON files must stay valid JSON
        if path.endswith((".json", ".ipynb")):
            try:
                json.loads(data.decode("utf-8-sig"))
            except ValueError as e:
                problems.append(f"{path}: invalid JSON: {e}")
    nul = files["positive/logs/service.log"].find(b"\x00")
    if nul < 8192:
        problems.append(f"service.log: first NUL at {nul}, must be past 8 KiB")
    for p, d in files.items():
        if p.startswith("negative/binary/") and b"\x00" not in d[:8192]:
            problems.append(f"{p}: not binary")
    try:
        files["positive/misc/notes-latin1.txt"].decode("utf-8")
        problems.append("notes-latin1.txt is valid UTF-8")
    except UnicodeDecodeError:
        pass
    return problems


def render_expected(files, expected):
    by_rule = {}
    for r, *_ in expected:
        by_rule[r] = by_rule.get(r, 0) + 1
    neg = sorted(p for p in files if p.startswith("negative/"))
    pos = sorted(p for p in files if p.startswith("positive/"))
    out = [
        "# keyhound labelled corpus -- GENERATED by gen.py (python3 tests/corpus/gen.py); do not edit by hand.",
        "# All keys are fake, produced by gen.py's seeded PRNG.",
        "# format: rule<TAB>path<TAB>line<TAB>secret<TAB># keyhound:allow",
        "#   path relative to tests/corpus, line 1-based, secret = exact string the scanner must extract",
        "#   (basic-auth: the decoded client_secret). The 5th field only keeps keyhound from reporting the",
        "#   secrets stored in this label file itself; readers use the first four fields.",
        f"# {len(expected)} expected findings in {len(pos)} positive files; "
        + ", ".join(f"{r}={n}" for r, n in sorted(by_rule.items())),
        f"# {len(neg)} negative files, each must produce no finding:",
    ]
    out += [f"#   {p}" for p in neg]
    for r, p, l, s in sorted(expected, key=lambda e: (e[1], e[2], e[0], e[3])):
        out.append(f"{r}\t{p}\t{l}\t{s}\t# keyhound:allow")
    return ("\n".join(out) + "\n").encode()


def main(argv):
    files, expected = build()
    problems = self_check(files, expected)
    if problems:
        print("self-check failed:\n  " + "\n  ".join(problems), file=sys.stderr)
        return 1
    files["expected.tsv"] = render_expected(files, expected)
    if "--check" in argv:
        diffs = []
        for p, d in sorted(files.items()):
            fp = os.path.join(HERE, *p.split("/"))
            if not os.path.exists(fp):
                diffs.append(f"missing on disk: {p}")
            elif open(fp, "rb").read() != d:
                diffs.append(f"differs: {p}")
        for top in ("positive", "negative"):
            for dirpath, _, names in os.walk(os.path.join(HERE, top)):
                for n in names:
                    rel = os.path.relpath(os.path.join(dirpath, n), HERE).replace(os.sep, "/")
                    if rel not in files:
                        diffs.append(f"not generated: {rel}")
        print("\n".join(diffs) or "corpus on disk matches gen.py")
        return 1 if diffs else 0
    for top in ("positive", "negative"):
        shutil.rmtree(os.path.join(HERE, top), ignore_errors=True)
    for p, d in files.items():
        fp = os.path.join(HERE, *p.split("/"))
        os.makedirs(os.path.dirname(fp), exist_ok=True)
        with open(fp, "wb") as f:
            f.write(d)
    by_rule = {}
    for r, *_ in expected:
        by_rule[r] = by_rule.get(r, 0) + 1
    print(f"wrote {len(files) - 1} corpus files + expected.tsv: {len(expected)} expected findings")
    for r, n in sorted(by_rule.items()):
        print(f"  {r:22} {n}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
