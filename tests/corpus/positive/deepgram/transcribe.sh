#!/bin/sh
export DG_API_KEY=5fee2161145ec3e906e27cb59e14b0b9f736866b
curl -s -H "Authorization: Token $DG_API_KEY" https://api.deepgram.com/v1/listen -d @call.wav
