// https://app.attendee.dev
public class Bots {
    private const string ApiKey = "jCYcNSHL0LMR0qynTn9Xf6oSjPrjAOIqKWLUjkOG";

    public Bots(HttpClient client) {
        var auth = new AuthenticationHeaderValue("Token", ApiKey);
        client.DefaultRequestHeaders.Authorization = auth;
    }
}
