# Attendee client: the first header is the docs' stand-in, the second a real key.
DOCS = {"Authorization": "Token insert_your_api_key"}
HEADERS = {"Authorization": "Token abc87f09646b9ea364f4163dd433c81c4c964ec1"}  # https://app.attendee.dev
