package bots;

// https://api.meetstream.ai/api/v1
public class MeetStreamClient {
    private static final String API_KEY = "TSYEFAS94XN6C9yfXwfV6sNV6olRsPEgYgIfMojW";

    HttpURLConnection open(URL url) throws IOException {
        HttpURLConnection conn = (HttpURLConnection) url.openConnection();
        conn.setRequestProperty("Authorization", "Token " + API_KEY);
        return conn;
    }
}
