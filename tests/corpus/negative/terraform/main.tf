variable "deepgram_api_key" {
  type      = string
  sensitive = true
}

variable "zoom_client_secret" {
  type        = string
  sensitive   = true
  description = "Zoom S2S OAuth client secret"
}

resource "aws_ssm_parameter" "meetstream_api_key" {
  name  = "/meetstream/prod/api-key"
  type  = "SecureString"
  value = var.meetstream_api_key
}

resource "aws_lambda_function" "recorder" {
  function_name = "recorder"
  role          = aws_iam_role.recorder.arn
  handler       = "app.handler"
  runtime       = "python3.12"

  environment {
    variables = {
      DEEPGRAM_API_KEY   = var.deepgram_api_key
      ZOOM_CLIENT_SECRET = var.zoom_client_secret
      WEBHOOK_SECRET     = aws_ssm_parameter.webhook_secret.value
      MEETSO_API_KEY     = data.aws_secretsmanager_secret_version.meetso.secret_string
    }
  }
}
