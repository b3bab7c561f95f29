// Zoom webhook
fun verify(secretToken: String) = secretToken == System.getenv("ZOOM_SECRET_TOKEN")
