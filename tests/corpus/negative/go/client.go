package attendee

import (
	"fmt"
	"net/http"
	"os"
)

var apiKey = os.Getenv("ATTENDEE_API_KEY")

func authorize(req *http.Request) {
	req.Header.Set("Authorization", "Token "+apiKey)
}

func authorizeFmt(req *http.Request, key string) {
	req.Header.Set("Authorization", fmt.Sprintf("Token %s", key))
}

func meetso(req *http.Request) {
	req.Header.Add("Authorization", "Bearer "+os.Getenv("MEETSO_API_KEY"))
}

const exampleHeader = "Authorization: Token YOUR_API_KEY"
