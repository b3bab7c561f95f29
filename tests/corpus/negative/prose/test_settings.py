"""Zoom settings tests."""
import os


def test_secret_from_env(settings):
    assert settings.zoom_client_secret == os.environ["ZOOM_CLIENT_SECRET"]
    print(f"Deepgram key: {settings.deepgram_api_key[:4]}…")
