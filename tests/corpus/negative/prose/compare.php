<?php
// Zoom webhook
if ($secretToken === getenv('ZOOM_SECRET_TOKEN')) {
    error_log("Deepgram API key: " . substr($key, 0, 4));
}
