from recorder.logging import redact

DOC_EXAMPLE = "mts_live_aB3xKp9NzQwErTyUiOpAsDfGhJkLmNbVcXz"
PLACEHOLDERS = ["YOUR_API_KEY", "YOUR_API_KEY_HERE", "<API_KEY>", "mts_live_…", "mts_live_...", "changeme"]
FAKE_HEADERS = {"Authorization": "Token dummy-token-for-unit-tests-only"}


def test_token_header_is_masked():
    assert redact("Authorization: Token abc") == "Authorization: Token ****************"


def test_bearer_header_is_masked():
    assert redact("Authorization: Bearer mts_live_abc") == "Authorization: Bearer <redacted>"


def test_env_line_is_masked():
    assert redact("MEETSO_API_KEY=abc") == "MEETSO_API_KEY=[REDACTED]"
    assert redact("ZOOM_CLIENT_SECRET=abc") == "ZOOM_CLIENT_SECRET=****************"


def test_partial_mask_keeps_prefix():
    assert redact("ms_4fQx") == "ms_****************************9aZk"
