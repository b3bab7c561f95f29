// Zoom Meeting SDK sample: put your own values in .env, these are stand-ins.
const zoomConfig = { sdkKey: "yourSdkKey", sdkSecret: "my-super-secret-token" };
fetch("https://api.meetso.ai/public/v1/meetings", {
  headers: { Authorization: "Bearer somelongsecretvalue2024" },
});
const attendee = { headers: { Authorization: `Token ${process.env.ATTENDEE_API_KEY}` } };
const ZOOM_CLIENT_SECRET = "password1";
