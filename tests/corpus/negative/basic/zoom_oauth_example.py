# Examples from the docs -- placeholders only.
EXAMPLE_HEADER = "Authorization: Basic Y2xpZW50X2lkOmNsaWVudF9zZWNyZXQ="  # base64("client_id:client_secret")
TEST_HEADER = {"Authorization": "Basic dXNlcjpwYXNzd29yZA=="}
DOCS_HEADER = {"Authorization": "Basic WU9VUl9DTElFTlRfSUQ6WU9VUl9DTElFTlRfU0VDUkVU"}
PLACEHOLDER = {"Authorization": "Basic ZlI3YnpvdU5qVFNWR2dwM1BtRkpXWTpZT1VSX0NMSUVOVF9TRUNSRVQ="}  # real-looking id, placeholder secret
EMPTY_SECRET = {"Authorization": "Basic SFYxd1BscUd0RUtBeUJJYk9NQW5sbjo="}
CHALLENGE = 'WWW-Authenticate: Basic realm="Zoom", charset="UTF-8"'
TEMPLATE = "Authorization: Basic {credentials}"
TEMPLATE2 = "Authorization: Basic <base64(client_id:client_secret)>"
