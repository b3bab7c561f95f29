//! Is a key live? One request as the provider's `[provider.verify]` declares it (method,
//! path, auth scheme), and the answer read against its `live` and `dead` patterns.
//!
//! "Live" must be earned: only an answer matching a declared `live` pattern counts (Meetso's
//! 403 only with its own `scope_missing` envelope; 200 only with a JSON body). A redirect
//! (never followed), an HTML page, a proxy's 403, a timeout or a 5xx that outlasts the
//! retries is `unknown`.

use super::audit::AuditEntry;
use super::http::Answer;
use super::ratelimit::retryable;
use super::session::{Call, Session};
use super::{scrub, RemediateError};
use crate::finding::Secret;
use crate::rules::{AnswerMatch, VerifySpec};
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// What the provider said about a key.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// The provider accepted or recognised the key.
    Live,
    /// The provider rejected the key as invalid, revoked or expired.
    Dead,
    /// No answer that tells either way.
    Unknown,
}

impl Status {
    /// `live`, `dead` or `unknown`.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Live => "live",
            Status::Dead => "dead",
            Status::Unknown => "unknown",
        }
    }
}

/// The result of checking one key with one provider: `report.facts[sha].verification`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Verification {
    /// Live, dead or unknown.
    pub status: Status,
    /// Status of the final answer; `null` without one.
    pub http_status: Option<u16>,
    /// One sentence on what was seen.
    pub detail: String,
    /// When, ISO 8601 UTC.
    pub checked_at: String,
    /// The provider asked (several, comma-separated, when candidates were tried).
    #[serde(default)]
    pub provider: String,
    /// Host (and port) asked; `null` when no request was sent.
    #[serde(default)]
    pub endpoint: Option<String>,
    /// The account (organisation) a live key belongs to, when the provider's answer names it
    /// at the spec's `account` pointer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account: Option<String>,
}

/// Checks `secret` with `provider` once per session: a second call for the same key and
/// provider returns the first result without a request.
pub fn verify(
    session: &mut Session,
    provider: &str,
    rule: &str,
    secret: &Secret,
) -> Result<Verification, RemediateError> {
    if let Some(v) = session.cached(provider, secret.sha256()) {
        return Ok(v.clone());
    }
    verify_fresh(session, provider, rule, secret)
}

/// Checks `secret` with `provider` now, whatever the cache holds (after a revoke), and
/// audits the result.
pub fn verify_fresh(
    session: &mut Session,
    provider: &str,
    rule: &str,
    secret: &Secret,
) -> Result<Verification, RemediateError> {
    let (provider, spec) = session.declared(provider, "verify", |p| p.verify.as_ref())?;
    let call = Call {
        method: spec.method.get_ref(),
        path: spec.path.get_ref(),
        auth: spec.auth,
        body: None,
    };
    let ex = session.exchange(&provider, secret, call)?;
    let (status, http_status, detail, account) = match &ex.result {
        Ok(answer) => {
            let (status, detail) = classify(&spec, &provider.name, answer);
            let account = (status == Status::Live)
                .then(|| account_of(&spec, answer, secret))
                .flatten();
            (
                status,
                Some(answer.status),
                with_retries(detail, answer, ex.attempts),
                account,
            )
        }
        Err(e) => (Status::Unknown, None, format!("no answer: {e}"), None),
    };
    let v = Verification {
        status,
        http_status,
        detail: scrub(&detail, secret),
        checked_at: session.now(),
        provider: provider.id.clone(),
        endpoint: Some(ex.host.clone()),
        account,
    };
    session.audit(AuditEntry {
        time: v.checked_at.clone(),
        action: "verify",
        rule: rule.to_string(),
        provider: provider.id.clone(),
        secret_sha256: secret.sha256().to_string(),
        endpoint: ex.host,
        http_status,
        outcome: status.as_str().to_string(),
        attempts: ex.attempts,
        detail: v.detail.clone(),
    })?;
    session.remember(secret.sha256(), &v);
    Ok(v)
}

/// Reads an answer against a verify spec: (status, one-sentence detail).
pub fn classify(spec: &VerifySpec, provider: &str, answer: &Answer) -> (Status, String) {
    let json: Option<Value> = serde_json::from_str(&answer.body).ok();
    let json = json.as_ref();
    let what = describe(answer, json, spec.live.iter().chain(&spec.dead));
    let code = answer.status;
    if (300..400).contains(&code) {
        let to = answer
            .redirect_host
            .as_deref()
            .map_or(String::new(), |h| format!(" to {h}"));
        return (
            Status::Unknown,
            format!("{what}: a redirect{to}, not followed; it says nothing about the key"),
        );
    }
    if spec.live.iter().any(|m| answer_matches(m, code, json)) {
        let verb = if (200..300).contains(&code) {
            "accepted"
        } else {
            "recognised"
        };
        return (Status::Live, format!("{provider} {verb} the key ({what})"));
    }
    if spec.dead.iter().any(|m| answer_matches(m, code, json)) {
        return (
            Status::Dead,
            format!("{provider} rejected the key as invalid ({what})"),
        );
    }
    let detail = if code == 429 {
        format!("still rate limited ({what})")
    } else if (500..600).contains(&code) {
        format!("{provider} had a server error ({what})")
    } else {
        format!("{what} is not an answer {provider} gives about keys (a proxy, CDN or changed API?): cannot tell")
    };
    (Status::Unknown, detail)
}

/// The account id a live answer names at the spec's `account` pointer (a string or a
/// number), made printable and scrubbed of the key.
fn account_of(spec: &VerifySpec, answer: &Answer, secret: &Secret) -> Option<String> {
    let pointer = spec.account.as_ref()?.get_ref();
    let json: Value = serde_json::from_str(&answer.body).ok()?;
    let id = match json.pointer(pointer)? {
        Value::String(s) => s.clone(),
        Value::Number(n) => n.to_string(),
        _ => return None,
    };
    let id = printable(&scrub(&id, secret));
    (!id.trim().is_empty()).then_some(id)
}

/// Whether an answer with `status` and parsed JSON body `json` matches `m`.
pub fn answer_matches(m: &AnswerMatch, status: u16, json: Option<&Value>) -> bool {
    if m.status != status {
        return false;
    }
    let Some(pointer) = &m.json_pointer else {
        return m.equals.is_none();
    };
    let Some(found) = json.and_then(|v| v.pointer(pointer)) else {
        return false;
    };
    m.equals
        .as_ref()
        .is_none_or(|want| found.as_str() == Some(want.as_str()))
}

/// `HTTP 403 scope_missing`, `HTTP 403, text/html body`: the status plus the first string
/// found at a pointer the patterns name, or what kind of body it was.
pub(crate) fn describe<'a>(
    answer: &Answer,
    json: Option<&Value>,
    patterns: impl Iterator<Item = &'a AnswerMatch>,
) -> String {
    let mut out = format!("HTTP {}", answer.status);
    let pointers: Vec<&str> = patterns
        .filter_map(|m| m.json_pointer.as_deref())
        .filter(|p| !p.is_empty())
        .collect();
    match json {
        Some(v) => {
            if let Some(code) = pointers
                .iter()
                .find_map(|p| v.pointer(p).and_then(Value::as_str))
            {
                out.push(' ');
                out.push_str(&printable(code));
            }
        }
        None if !answer.body.trim().is_empty() => {
            let kind = answer
                .content_type
                .as_deref()
                .and_then(|c| c.split(';').next())
                .map_or("non-JSON".to_string(), |c| printable(c.trim()));
            out.push_str(&format!(", {kind} body"));
        }
        None => {}
    }
    out
}

fn with_retries(detail: String, answer: &Answer, attempts: u32) -> String {
    if attempts > 1 && retryable(answer.status) {
        format!("{detail} after {} retries", attempts - 1)
    } else {
        detail
    }
}

/// Longest piece of an answer quoted in a message, in characters.
const QUOTE_MAX: usize = 80;

/// Text from the network made safe to print: printable characters, at most [`QUOTE_MAX`]
/// (then `…`). Callers pass text already scrubbed of the key (the session scrubs whole
/// answers), so the cut cannot leave a fragment of an echoed key.
fn printable(s: &str) -> String {
    let mut chars = s.chars().filter(|c| !c.is_control());
    let mut out: String = chars.by_ref().take(QUOTE_MAX).collect();
    if chars.next().is_some() {
        out.push('…');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::RuleSet;

    fn spec(provider: &str) -> VerifySpec {
        let set = RuleSet::builtin().unwrap();
        set.provider(provider).unwrap().verify.clone().unwrap()
    }

    fn answer(status: u16, content_type: &str, body: &str) -> Answer {
        Answer {
            status,
            content_type: Some(content_type.into()),
            redirect_host: None,
            body: body.into(),
        }
    }

    fn envelope(code: &str) -> String {
        format!(r#"{{"error":{{"code":"{code}","message":"m","request_id":"req_1"}}}}"#)
    }

    #[test]
    fn meetso_answers() {
        let s = spec("meetso");
        let json = "application/json";
        let cases = [
            (answer(200, json, r#"{"data":[]}"#), Status::Live, "Meetso accepted the key (HTTP 200)"),
            (answer(403, json, &envelope("scope_missing")), Status::Live, "Meetso recognised the key (HTTP 403 scope_missing)"),
            (answer(401, json, &envelope("invalid_key")), Status::Dead, "Meetso rejected the key as invalid (HTTP 401 invalid_key)"),
            (answer(401, json, &envelope("unauthorized")), Status::Unknown, "HTTP 401 unauthorized is not an answer Meetso gives about keys (a proxy, CDN or changed API?): cannot tell"),
            (answer(403, "text/html; charset=utf-8", "<html>Forbidden</html>"), Status::Unknown, "HTTP 403, text/html body is not an answer Meetso gives about keys (a proxy, CDN or changed API?): cannot tell"),
            (answer(403, json, r#"{"message":"Forbidden"}"#), Status::Unknown, "HTTP 403 is not an answer Meetso gives about keys (a proxy, CDN or changed API?): cannot tell"),
            (answer(200, "text/html", "<html>login</html>"), Status::Unknown, "HTTP 200, text/html body is not an answer Meetso gives about keys (a proxy, CDN or changed API?): cannot tell"),
            (answer(429, json, &envelope("rate_limited")), Status::Unknown, "still rate limited (HTTP 429 rate_limited)"),
            (answer(500, json, &envelope("internal_error")), Status::Unknown, "Meetso had a server error (HTTP 500 internal_error)"),
        ];
        for (a, status, detail) in cases {
            assert_eq!(
                classify(&s, "Meetso", &a),
                (status, detail.to_string()),
                "{a:?}"
            );
        }
    }

    #[test]
    fn redirects_are_unknown_and_name_only_the_host() {
        let mut a = answer(302, "text/html", "");
        a.redirect_host = Some("login.example".into());
        assert_eq!(
            classify(&spec("meetso"), "Meetso", &a),
            (
                Status::Unknown,
                "HTTP 302: a redirect to login.example, not followed; it says nothing about the key".into()
            )
        );
    }

    #[test]
    fn attendee_and_meetstream_answers() {
        let a = spec("attendee");
        let json = "application/json";
        assert_eq!(
            classify(&a, "Attendee", &answer(200, json, r#"{"results":[]}"#)).0,
            Status::Live
        );
        assert_eq!(
            classify(
                &a,
                "Attendee",
                &answer(401, json, r#"{"detail":"Invalid token."}"#)
            ),
            (
                Status::Dead,
                "Attendee rejected the key as invalid (HTTP 401 Invalid token.)".into()
            )
        );
        let missing = r#"{"detail":"Authentication credentials were not provided."}"#;
        assert_eq!(
            classify(&a, "Attendee", &answer(401, json, missing)).0,
            Status::Unknown
        );
        let m = spec("meetstream");
        assert_eq!(
            classify(
                &m,
                "MeetStream",
                &answer(404, json, r#"{"detail":"Not found."}"#)
            )
            .0,
            Status::Live
        );
        assert_eq!(
            classify(&m, "MeetStream", &answer(404, "text/html", "<h1>404</h1>")).0,
            Status::Unknown
        );
        assert_eq!(
            classify(&m, "MeetStream", &answer(401, json, r#"{"detail":"x"}"#)).0,
            Status::Dead
        );
        assert_eq!(
            classify(&m, "MeetStream", &answer(401, "text/html", "<p>no</p>")).0,
            Status::Unknown
        );
    }

    #[test]
    fn pointer_without_equals_means_the_pointer_exists() {
        let m = AnswerMatch {
            status: 404,
            json_pointer: Some("/detail".into()),
            equals: None,
        };
        let v: Value = serde_json::from_str(r#"{"detail":{"x":1}}"#).unwrap();
        assert!(answer_matches(&m, 404, Some(&v)));
        let v: Value = serde_json::from_str(r#"{"error":"x"}"#).unwrap();
        assert!(!answer_matches(&m, 404, Some(&v)));
        assert!(!answer_matches(&m, 404, None));
        assert!(!answer_matches(&m, 200, Some(&v)));
    }
}
