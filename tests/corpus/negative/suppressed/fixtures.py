# Known-revoked keys kept for regression tests of the revoke flow.
REVOKED_MEETSO = "mts_live_cLMQQCw5U2fSgsYnBhPjQLa9onxRpFGThLZ"  # keyhound:allow
REVOKED_HEADER = {"Authorization": "Token XqvZYzNIuJ2tmyFtQ7KSS4Pu0TX1jqwsKgTpMldZ"}  # gitleaks:allow
ZOOM_BASIC = "Authorization: Basic MXdLM0dZQ29lVVlldlpQYUpLOHhpVjpRUU5kVWlSYWRJaG9oNXlVdUEwNlpDbVNYelIxSmZFVw=="  # keyhound:allow
DEEPGRAM_API_KEY = "6e000bdeb862bcc8d43b29fca8a6676978de0b38"  # gitleaks:allow
