// Zoom webhook
public bool Check(string secretToken) =>
    secretToken == Environment.GetEnvironmentVariable("ZOOM_SECRET_TOKEN");
