package bots

// https://api.meetstream.ai/api/v1
const apiKey = "gPijZ69kX4HhEePV7mf7OBE5Kjqnzi1mfGaR7Fcf"

func newRequest(url string) *http.Request {
	req, _ := http.NewRequest("GET", url, nil)
	req.Header.Set("Authorization", fmt.Sprintf("Token %s", apiKey))
	return req
}
