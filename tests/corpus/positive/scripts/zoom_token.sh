#!/usr/bin/env bash
# Fetch a Zoom S2S OAuth token and list the bot account's meetings.
ACCOUNT_ID="CcSkPYpY4Pk0rfHsBhkMr3"

TOKEN_JSON=$(curl -s -X POST \
  "https://zoom.us/oauth/token?grant_type=account_credentials&account_id=${ACCOUNT_ID}" \
  -H "Authorization: Basic cVhycm5kdXliZEpINmNlYmNIS1QyRjptM3BsUGR3R2FoQVFja1ZtaFg5WnVEUVY3VnFzUFdOSA==")

ACCESS_TOKEN=$(echo "$TOKEN_JSON" | jq -r .access_token)
curl -s https://api.zoom.us/v2/users/me/meetings -H "Authorization: Bearer ${ACCESS_TOKEN}"

# pasted from the marketplace "test" button, valid for 1h
curl -s https://api.zoom.us/v2/users/me -H "Authorization: Bearer eyJhbGciOiJIUzUxMiIsInYiOiIyLjAiLCJraWQiOiIwYTM2OWUzNC0zNmY1LTQ4MzQtOWY0Yi1mNjM3ZDczYTRlNzAifQ.eyJhdWQiOiJodHRwczovL29hdXRoLnpvb20udXMiLCJ1aWQiOiJ6WTRhUGpuY3M1eXBFazFvWElmZUxkIiwidmVyIjoxMCwiYXVpZCI6IjVjYWEzMjczZWRmNDIyYmYyOGRjMzk0MmMyYmFkNDM3MDdiMjNjYThmODg1MGMxNDI3YWIyYTc1MDdiNjExMTUiLCJuYmYiOjE3MTc0NzAwNzAsImNvZGUiOiJ3aGFteXdXeEZrVWFScnhtZUozNGJrIiwiaXNzIjoiem06Y2lkOk5pRUplUDBXdHpMZU5sV0JZclphUVIiLCJnbm8iOjAsImV4cCI6MTcxNzQ3MzY3MCwidHlwZSI6MywiaWF0IjoxNzE3NDcwMDcwLCJhaWQiOiJwdnRtTFhjS3FtT2U5cFhEUmUybjNuIn0.bgsisB2hONkBz2Kg9y3rmj2SnrMJmIIBCeNjG-rt41iFBX1P-FoHeoVSLMznF8xkkLHDseauhmLQH7qA5kx1lQ"
