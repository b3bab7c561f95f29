import pytest

from meetso import Client, InvalidKey

# Sandbox org keys; mts_test_ keys cannot touch production data.
SANDBOX_KEY = "mts_test_18OlPxAZmzPNlXmYtlTE2UWjXfFG2tOUYJX"
OTHER_ORG_KEY = "mts_test_e4IBtIq17SdiwjeKexUkBtPBDEyz2drYrDX"
DOCS_KEY = "mts_live_aB3xKp9NzQwErTyUiOpAsDfGhJkLmNbVcXz"  # the example from the Meetso docs
REVOKED_KEY = "mts_live_4fQqlRjIoF5NL6VPpFUi4586NE3IzZhsbhs"  # gitleaks:allow -- revoked, used to assert 401 invalid_key


@pytest.mark.parametrize("key", ["", "YOUR_API_KEY", "mts_live_…", "mts_live_..."])
def test_rejects_placeholders(key):
    with pytest.raises(ValueError):
        Client(api_key=key)


def test_revoked_key(httpx_mock):
    httpx_mock.add_response(
        status_code=401,
        json={"error": {"code": "invalid_key", "message": "Key revoked", "request_id": "req_AIrqbO1b7tZsRo0alKEpLnoO"}},
    )
    with pytest.raises(InvalidKey):
        Client(api_key=REVOKED_KEY).meetings(limit=1)


def test_docs_key_is_rejected(httpx_mock):
    httpx_mock.add_response(status_code=401, json={"error": {"code": "invalid_key"}})
    with pytest.raises(InvalidKey):
        Client(api_key=DOCS_KEY).meetings(limit=1)
