// https://api.meetstream.ai/api/v1
std::string key = "Bhu7cVtKKuyxpOL0qQWES5PGSfnMbFaLPh0FETwe";

curl_slist *auth(curl_slist *headers) {
    return curl_slist_append(headers, ("Authorization: Token " + key).c_str());
}
