"""Zoom webhook tests.

Secret Token: txiD0wpyVkirZObI4VN9sYFb81SgftIl
"""


def test_token(zoom_secret_token):
    assert zoom_secret_token == "8WiaASG8NmXoJg3ZqyBmBMts2vZsaOnq"
    print(f"Deepgram key: 40a18e011ade7f29622446d2bdcbc67fa0330a6e")
