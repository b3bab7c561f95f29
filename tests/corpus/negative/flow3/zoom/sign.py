import os

# Zoom Meeting SDK
SECRET = os.environ["ZOOM_SDK_SECRET"]

def sdk_jwt(sdk_key, meeting):
    return zoom_sdk.sign(sdk_key=sdk_key, sdk_secret=SECRET, meeting=meeting)
