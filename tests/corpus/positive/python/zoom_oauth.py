import base64
import json
import urllib.request

ACCOUNT_ID = "5mCUISG8vWVeCGw1qhg39f"


def get_zoom_access_token(client_id: str, client_secret: str, account_id: str = ACCOUNT_ID) -> str:
    credentials = base64.b64encode(f"{client_id}:{client_secret}".encode()).decode()
    req = urllib.request.Request(
        f"https://zoom.us/oauth/token?grant_type=account_credentials&account_id={account_id}",
        headers={"Authorization": f"Basic {credentials}", "Content-Type": "application/x-www-form-urlencoded"},
        method="POST",
    )
    with urllib.request.urlopen(req) as resp:
        return json.loads(resp.read())["access_token"]


def get_token_hardcoded() -> str:
    # copied from Postman while the Parameter Store migration is pending
    req = urllib.request.Request(
        f"https://zoom.us/oauth/token?grant_type=account_credentials&account_id={ACCOUNT_ID}",
        headers={
            "Authorization": "Basic THpvcGdOOURDUFM0bWhjZnZlQWp6ZzpON0RTSVRmWTFKS0RnSENSMVdrWUZUNjRLRlF3YmtBRQ==",
            "Content-Type": "application/x-www-form-urlencoded",
        },
        method="POST",
    )
    with urllib.request.urlopen(req) as resp:
        return json.loads(resp.read())["access_token"]
