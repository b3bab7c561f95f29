// Attendee client, https://app.attendee.dev
private val botKey = "GP6yOnZnw3rfsj9cUmUJpphOKC7vfRCt9kmIcwys"

fun request(url: String) = Request.Builder().url(url)
    .header("Authorization", "Token $botKey")
    .build()
