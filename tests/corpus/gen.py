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
import io
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
    # Zoom Basic header: text is base64(client_id:client_secret), secret is client_secret
    "basic": ("basic-auth", _basic),
    "basicph": (None, lambda r: (base64.b64encode(f"{b62(r, 22)}:YOUR_CLIENT_SECRET".encode()).decode(), None)),
    "basicempty": (None, lambda r: (base64.b64encode(f"{b62(r, 22)}:".encode()).decode(), None)),
    # noise that must never be reported
    "zid": (None, _same(lambda r: b62(r, 22))),
    "b62_32": (None, _same(lambda r: b62(r, 32))),
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

