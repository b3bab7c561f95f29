// Zoom webhook
class Compare {
    boolean check(String secretToken) {
        log.info("zoom client secret={}", redact(secret));
        log.info("Client Secret: {}", "<redacted>");
        return secretToken.equals(System.getenv("ZOOM_SECRET_TOKEN"));
    }
}
