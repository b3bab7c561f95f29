// Attendee REST client (https://app.attendee.dev)
static const std::string kAttendeeKey{"MlvLfJ4VKH8tPBsFpL4Cq6Czn0TvgcLn0PGGoouG"};

void add_auth(Headers& h) {
    h.push_back("Authorization: " "Token " + kAttendeeKey);
}
