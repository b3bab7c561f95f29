// Zoom app credentials come from the environment; other providers' secrets keep their names.
const zoom = {
  clientSecret: process.env.ZOOM_CLIENT_SECRET,
  apiSecret: config.get("zoom.apiSecret"),
  sdkSecret: "YOUR_SDK_SECRET_HERE",
  GOOGLE_CLIENT_SECRET: "2qNxa9gE3OlU9NptewXDF0fvAuhRWXor",
  googleClientSecret: "FH3fKR9hMvGQQYdPg9nUvZdQO1XVLfQI",
};
