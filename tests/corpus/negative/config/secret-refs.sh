# Where the secrets live; none of these values is a secret.
ZOOM_CLIENT_SECRET_PATH=/run/secrets/zoom_client_secret_current
ZOOM_CLIENT_SECRET_ARN=arn:aws:secretsmanager:us-east-1:123456789012:secret:zoom-client-secret-AbCdEf
WEBHOOK_SECRET_HEADER=X-Zm-Signature-Verification
ZOOM_WEBHOOK_SECRET_TOKEN_FILE=/var/run/zoom/webhook_secret_token
ZOOM_SECRET_TOKEN=${ZOOM_SECRET_TOKEN_FROM_VAULT}
WEBHOOK_SIGNING_SECRET=changeme
