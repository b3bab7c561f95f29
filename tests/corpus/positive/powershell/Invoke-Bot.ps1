param(
    [Parameter(Mandatory = $true)][string]$MeetingUrl
)

$env:DEEPGRAM_API_KEY = "cd171ad42a3f2ee7a04b35c93550305063dea0c3"

$headers = @{
    Authorization  = "Token Cz9BqkHAaJ4gih8YoSfgMiUDAOceS0fTDIvDgqNj"
    'Content-Type' = 'application/json'
}
$body = @{ meeting_url = $MeetingUrl; bot_name = 'Recorder' } | ConvertTo-Json
Invoke-RestMethod -Method Post -Uri 'https://app.attendee.dev/api/v1/bots' -Headers $headers -Body $body

Invoke-RestMethod -Uri 'https://api.meetso.ai/public/v1/meetings?limit=1' -Headers @{ "Authorization" = "Bearer mts_live_puBmbDS9uJLknNjtpYfq6dQeW37fAScsrVz" }

# later runs should use the env var instead:
# -Headers @{ Authorization = "Token $env:ATTENDEE_API_KEY" }
