use reqwest::blocking::Client;
use reqwest::header::{AUTHORIZATION, CONTENT_TYPE};

// TODO: read from the environment before this ships
const MEETSO_KEY: &str = "mts_live_qYPFkoeLmx7JdxjhOqtVZhMJfhF9rap2Nc9";

fn list_meetings(client: &Client) -> reqwest::Result<String> {
    client
        .get("https://api.meetso.ai/public/v1/meetings?limit=1")
        .bearer_auth(MEETSO_KEY)
        .send()?
        .text()
}

fn list_bots(client: &Client) -> reqwest::Result<String> {
    client
        .get("https://app.attendee.dev/api/v1/bots")
        .header(AUTHORIZATION, "Token 0nrAzxP2IkmU3tTMTJIhpqvPBj8ZCBFzDbnIamVy")
        .header(CONTENT_TYPE, "application/json")
        .send()?
        .text()
}

fn list_bots_with(client: &Client, key: &str) -> reqwest::Result<String> {
    client.get("https://app.attendee.dev/api/v1/bots").header(AUTHORIZATION, format!("Token {key}")).send()?.text()
}
