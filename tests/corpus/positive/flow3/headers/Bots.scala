// Attendee (https://app.attendee.dev)
object Bots {
  val BotKey = "Eg3cQ2eg5MnqnDVjsbM2LIIs3Qmg5UOLvuhaxCGz"
  def request(uri: Uri) = basicRequest.get(uri).header("Authorization", s"Token $BotKey")
}
