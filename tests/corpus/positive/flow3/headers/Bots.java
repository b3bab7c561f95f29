package bots;

// MeetStream client (https://api.meetstream.ai/api/v1)
public final class Bots {
    private static final String API_KEY = "AseqX6KulDJRh4fqVoW2468yENw29TZR6r72c9X8";

    HttpURLConnection open(URL url) throws IOException {
        HttpURLConnection conn = (HttpURLConnection) url.openConnection();
        String auth = "Token " + API_KEY;
        conn.setRequestProperty("Authorization", auth);
        return conn;
    }
}
