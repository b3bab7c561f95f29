import os

headers = {"x-meeting-baas-api-key": os.environ["MEETING_BAAS_API_KEY"]}
