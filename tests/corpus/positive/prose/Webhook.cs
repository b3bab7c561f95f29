// Zoom webhook
public class Webhook {
    public bool Check(string secretToken) {
        _logger.LogDebug("Client Secret: {Secret}", "WKd5tysDZyg4Gztr1hF7uvkEjnCLfhJC");
        return secretToken == "1Qefn9rOwZ6NtRficSMeHO50EpgnnwzD";
    }
}
