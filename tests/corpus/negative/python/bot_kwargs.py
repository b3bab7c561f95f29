# Keyword arguments and model fields: the value after a secret's name is code, and the
# argument on the next line is not that secret's value.
from django.db import models


class WebhookSubscription(models.Model):
    secret = models.ForeignKey(WebhookSecret, on_delete=models.PROTECT, related_name="webhook_subscriptions")
    zoom_oauth_app = models.ForeignKey(ZoomOAuthApp, on_delete=models.PROTECT, related_name="zoom_oauth_connections")


def transcriber(self):
    return DeepgramStreamingTranscriber(
        deepgram_api_key=self.deepgram_api_key,
        interim_results=True,
        language=self.bot.deepgram_language(),
    )


def rtms(self):
    return ZoomRTMSAdapter(
        zoom_client_id=self.zoom_client_id,
        zoom_client_secret=self.zoom_client_secret,
        join_payload=self.zoom_rtms,
        use_audio=True,
    )
