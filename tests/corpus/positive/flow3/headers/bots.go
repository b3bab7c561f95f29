package bots

// https://api.meetstream.ai/api/v1
var apiKey = "R59qhfxhmYxl8FL1qixUmOQljAV1zVn88IqVJAwP"

func authorize(req *http.Request) {
	req.Header.Set("Authorization", "Token "+apiKey)
}
