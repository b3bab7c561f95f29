# Zoom Meeting SDK JWT
SECRET = "0iZ8TYKzujRQ7oe5OJzU7XLS4iGoQAbY"

def sdk_jwt(sdk_key, meeting):
    return zoom_sdk.sign(sdk_key=sdk_key, sdk_secret=SECRET, meeting=meeting)
