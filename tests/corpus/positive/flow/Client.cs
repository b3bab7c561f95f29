// https://api.meetstream.ai/api/v1
public class Bots {
    private const string ApiKey = "xmppE01iKwj0x6RWkt0WumrUWd1dW6HYdHhqdBqP";

    public Bots(HttpClient client) {
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Token", ApiKey);
    }
}
