#!/usr/bin/env bash
set -euo pipefail
# quick smoke test against prod -- TODO move the key to vault
export ATTENDEE_API_KEY="feNp6znY2svRsL5OQXIb8YbJFVKkOVCd"
MEETING_URL="${1:?usage: create_bot.sh <meeting-url>}"

curl -sS -X POST https://app.attendee.dev/api/v1/bots \
  -H 'Authorization: Token XWCKscLTyCfmIOVQiX1M1Xt8641dXkZjEcXF4UL2' \
  -H 'Content-Type: application/json' \
  -d "{\"meeting_url\": \"${MEETING_URL}\", \"bot_name\": \"Notetaker\"}"

# same call using the env var (this one is fine)
curl -sS https://app.attendee.dev/api/v1/bots -H "Authorization: Token ${ATTENDEE_API_KEY}"
