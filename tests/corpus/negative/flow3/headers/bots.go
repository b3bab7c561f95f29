package bots

// https://api.meetstream.ai/api/v1
var apiKey = os.Getenv("MEETSTREAM_API_KEY")

func authorize(req *http.Request) {
	req.Header.Set("Authorization", "Token "+apiKey)
}
