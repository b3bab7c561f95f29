#!/bin/sh
# Smoke tests run by the on-call after a deploy.
set -e

API=https://api.meetstream.ai/api/v1

echo "== create bot"
curl --fail --silent --show-error "$API/bots/create_bot" \
  --header "Authorization: Token ms_darNBDrr8SgFbx5blyGDiJ913afBb9Vj" \
  --header "Content-Type: application/json" \
  --data '{"meeting_link": "https://meet.google.com/abc-defg-hij", "bot_name": "Smoke test"}'

echo "== list bots (attendee, wget)"
wget -qO- --header="Authorization: Token 225b24682a79b59b5cb5fb5eda45318516d69a47" https://app.attendee.dev/api/v1/bots

echo "== same with httpie"
http GET https://app.attendee.dev/api/v1/bots 'Authorization:Token 30R8Is96im2NRZZ2OO1CHrbyNr8PAGqIz8qUF76l'

echo "== run the transcriber locally"
docker run --rm \
  -e DEEPGRAM_API_KEY=b73ab2bf414e2638f822ea4bef1c6d74d3819cce \
  -e ZOOM_CLIENT_SECRET="K3NewKna3At6eGQfZydv9JChZKNHWoEL" \
  -e ATTENDEE_API_KEY \
  ghcr.io/acme/transcriber:latest
