// https://app.attendee.dev/api/v1
val key: String = System.getenv("ATTENDEE_API_KEY") ?: error("missing")
val auth = "Token $key"
val headers = mapOf("Authorization" to auth)
