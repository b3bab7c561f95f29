$env:ATTENDEE_API_KEY = Read-Host -Prompt 'Attendee API key'
$env:DEEPGRAM_API_KEY = (Get-Secret -Name DeepgramApiKey -AsPlainText)
$headers = @{ Authorization = "Token $($env:ATTENDEE_API_KEY)" }
$meetso = @{ Authorization = "Bearer $env:MEETSO_API_KEY" }
[Environment]::SetEnvironmentVariable('ZOOM_CLIENT_SECRET', $secret, 'User')
Write-Host "Use the header 'Authorization: Token YOUR_API_KEY' when testing by hand."
