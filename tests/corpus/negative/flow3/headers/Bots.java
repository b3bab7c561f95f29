// MeetStream client (https://api.meetstream.ai/api/v1)
public final class Bots {
    private static final String API_KEY = System.getenv("MEETSTREAM_API_KEY");

    HttpURLConnection open(URL url, String key) throws IOException {
        HttpURLConnection conn = (HttpURLConnection) url.openConnection();
        String auth = "Token " + API_KEY;
        conn.setRequestProperty("Authorization", auth);
        String other = "Token " + key;
        conn.setRequestProperty("Authorization", other);
        return conn;
    }
}
