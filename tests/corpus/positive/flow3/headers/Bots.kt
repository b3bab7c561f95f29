// https://app.attendee.dev/api/v1
const val KEY = "r9fXH1vXSsgFJ6KbvJAASz913LXEYq3aNJXSkhFB"

fun headers(): Map<String, String> {
    val auth = "Token $KEY"
    return mapOf("Authorization" to auth)
}
