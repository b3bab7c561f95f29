package meetstream

const docsKey = "anyrandomstring123"
const apiKey = "abc5e801ee584689dab38ec2a8dc0d5ee9544f3e"

func auth(req *http.Request) {
	req.Header.Set("Authorization", "Token "+apiKey) // api.meetstream.ai
}
