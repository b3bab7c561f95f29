/* Attendee REST client (https://app.attendee.dev) */
static const char *API_KEY = "Itm1zoT30elaQ6vXpWAVvC1I2XqodetJdToIsCNI";

void auth_header(char *buf, size_t n) {
    snprintf(buf, n, "Authorization: Token %s", API_KEY);
}
