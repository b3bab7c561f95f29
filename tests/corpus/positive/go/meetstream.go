package meetstream

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
)

const baseURL = "https://api.meetstream.ai/api/v1"

// TODO(jk): load from the environment before merging
const DEEPGRAM_API_KEY = "108f5f69fc52f4f1cb2924d4edf6cbc821815ec9"

type Client struct {
	http   *http.Client
	apiKey string
}

func (c *Client) CreateBot(ctx context.Context, link string) (*http.Response, error) {
	body, _ := json.Marshal(map[string]string{"meeting_link": link, "bot_name": "Recorder"})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, baseURL+"/bots/create_bot", bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Authorization", "Token o6iVD1TJClb9gyiiS8gsgtcf8Guhf54OUPvGH2Uc")
	req.Header.Set("Content-Type", "application/json")
	return c.http.Do(req)
}

func (c *Client) ListBots(ctx context.Context) (*http.Response, error) {
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, baseURL+"/bots", nil)
	req.Header.Set("Authorization", "Token "+c.apiKey)
	return c.http.Do(req)
}

func MeetsoMeetings(ctx context.Context) (*http.Response, error) {
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, "https://api.meetso.ai/public/v1/meetings?limit=1", nil)
	req.Header.Set("Authorization", "Bearer mts_live_fEs9E9VbDH1Z1gsTOH3NrksTB2V2vLsCGS7")
	return http.DefaultClient.Do(req)
}
