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
