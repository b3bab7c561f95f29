# unit test fixture for a local mock server
API_KEY = "dummy-token-for-unit-tests-000"
BASE = "http://127.0.0.1:8080"

def test_header():
    assert client_headers(API_KEY) == {"Authorization": "Token " + API_KEY}
