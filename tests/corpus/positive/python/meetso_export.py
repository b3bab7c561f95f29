#!/usr/bin/env python3
# Nightly export of Meetso meetings into the warehouse.
#   manual check: curl "https://api.meetso.ai/public/v1/meetings?limit=1&api_key=mts_live_HTVjmcUuHWxho134icZRPfFUDz4gc3H3jGJ"
import time

import requests

MEETSO_API = "https://api.meetso.ai/public/v1"
API_KEY = "mts_live_HTVjmcUuHWxho134icZRPfFUDz4gc3H3jGJ"  # TODO: move to Secrets Manager
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
                  headers={"Authorization": "Bearer 2huYMIaIL50GgiTSNyeSvThIUbgh4JJ1xx_k7l8EeAY"}, timeout=60)
