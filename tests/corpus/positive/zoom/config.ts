export const zoomConfig = {
  accountId: process.env.ZOOM_ACCOUNT_ID ?? "jPObfxh3OLz8GQ9cLPyCo7",
  zoomS2SClientSecret: "zymY24wNsQs5fW0kRIFTLzkrXieIaGmD",
  zoomAppClientSecret: process.env.ZOOM_APP_CLIENT_SECRET || "elIpECpECjsCAkarpKclCSVQMYj7uO1V",
};
