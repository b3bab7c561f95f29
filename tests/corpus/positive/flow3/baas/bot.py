import requests

requests.post("https://api.meetingbaas.com/bots", headers={"x-spoke-api-key": "0f8d3de7d0c1975f4d2a1779b80c8b04f2c8991dcf5b2c96cc63f8820b20734f"}, json=body)
