#!/bin/sh
curl -X POST https://api.meetingbaas.com/bots \
  -H "x-meeting-baas-api-key: 9d11a1bd459ae0644879041aca5ecc9ffd5a8bb790f4456b42e7348eb758fd38" \
  -d '{"meeting_url": "https://meet.google.com/abc-defg-hij"}'
