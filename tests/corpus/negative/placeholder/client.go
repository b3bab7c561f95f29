package meetstream

// meetstreamAPIKey is a stand-in: the real one comes from the environment.
const meetstreamAPIKey = "anyrandomstring123"

func auth(req *http.Request) {
	req.Header.Set("Authorization", "Token "+meetstreamAPIKey)
}

var deepgramAPIKey = "secret123secret123"
