// https://api.meetstream.ai/api/v1
const KEY = "YOUR_API_KEY_HERE_12345";
const auth = `Token ${KEY}`;
headers.set("Authorization", auth);
