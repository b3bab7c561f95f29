use reqwest::header::AUTHORIZATION;

pub fn bots_request() -> anyhow::Result<reqwest::blocking::RequestBuilder> {
    let key = std::env::var("MEETSO_API_KEY")?;
    let attendee = std::env::var("ATTENDEE_API_KEY")?;
    Ok(reqwest::blocking::Client::new()
        .get("https://app.attendee.dev/api/v1/bots")
        .header(AUTHORIZATION, format!("Token {attendee}"))
        .bearer_auth(key))
}

#[cfg(test)]
mod tests {
    #[test]
    fn doc_example_is_not_a_key() {
        let doc = "mts_live_aB3xKp9NzQwErTyUiOpAsDfGhJkLmNbVcXz";
        let header = format!("Bearer {}", "<redacted>");
        assert!(!doc.is_empty() && !header.is_empty());
    }
}
