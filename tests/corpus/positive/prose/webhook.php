<?php
// Zoom webhook
if ($secretToken === 'AXbjPK1eolWFODxINy7DboR3K93jsP3K') {
    error_log("Deepgram API key: b9b841fb32e9ccc4c2e188e89513cde133a51daf");
}
