#!/bin/sh
# Local run with stand-in credentials.
export MEETSO_API_KEY=mts_live_SomethingSecretAndLong2024
export ZOOM_CLIENT_SECRET="replace-me-with-real-key"
curl -s -H "Authorization: Bearer secret123secret123secret" https://api.meetso.ai/public/v1/meetings
curl -s -H "Authorization: Basic WnE0WGtQMm1UdzhMck42dkJ5MWM6c3VwZXJzZWNyZXRwYXNzd29yZDIwMjQ=" https://zoom.us/oauth/token
