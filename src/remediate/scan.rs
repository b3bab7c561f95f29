//! `keyhound scan --verify` / `--revoke`: each distinct secret of a report is checked once,
//! with the provider its finding names or, when the finding names none (a `Token` key with
//! no context), with each candidate provider the rule's hints declare; results go to
//! `report.facts[sha].verification` and `.revocation`.
//!
//! Candidates are tried in the rule's hint order and the first `live` answer wins: a key
//! that one provider accepts belongs to that provider. Rejection by every candidate is NOT
//! reported as dead: the key's issuer is unknown, so it may well be live elsewhere (a Django
//! REST token, say); it is `unknown`, with each provider's answer in the detail. Webhook
//! signing secrets and providers without a declared verifier are not sent anywhere.

use super::revoke::{self, Guard, Prompt, Target};
use super::verify::{verify, Status, Verification};
use super::{RemediateError, Session};
use crate::finding::{Finding, Secret};
use crate::report::Report;
use crate::rules::Rule;

/// What to do to the report's secrets.
#[derive(Clone, Debug, Default)]
pub struct ScanOptions {
    /// Verify each distinct secret.
    pub verify: bool,
    /// Revoke the live ones (implies verify).
    pub revoke: bool,
    /// Revoke guards.
    pub guard: Guard,
}

/// What the run did, for the exit code.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ScanOutcome {
    /// Secrets checked (or skipped with a reason).
    pub verified: usize,
    /// Revocations that failed or were refused: the user asked and it did not happen.
    pub revoke_problems: usize,
}

/// One distinct secret of the report, owned.
struct Item {
    secret: Secret,
    rule: String,
    provider: Option<String>,
    webhook: bool,
    label: String,
}

/// Verifies (and, when asked, revokes) every distinct secret in `report`.
pub fn apply(
    report: &mut Report,
    rules: &[Rule],
    session: &mut Session,
    opts: &ScanOptions,
    prompt: &mut dyn Prompt,
) -> Result<ScanOutcome, RemediateError> {
    let mut outcome = ScanOutcome::default();
    if !opts.verify && !opts.revoke {
        return Ok(outcome);
    }
    let items = items(report);
    let mut live: Vec<Target> = Vec::new();
    for item in &items {
        let v = verify_item(session, rules, item)?;
        prompt.say(&format!(
            "verify: {} ({}, sha256 {}…): {}: {}",
            item.secret.redacted(),
            item.rule,
            &item.secret.sha256()[..12],
            v.status.as_str(),
            v.detail
        ));
        if v.status == Status::Live && session.provider(&v.provider).is_some() {
            live.push(Target {
                secret: item.secret.clone(),
                provider: v.provider.clone(),
                rule: item.rule.clone(),
                label: item.label.clone(),
            });
        }
        set_fact(report, item.secret.sha256(), |f| f.verification = json(&v));
        outcome.verified += 1;
    }
    if opts.revoke && !live.is_empty() {
        let results = revoke::run(session, &live, &opts.guard, prompt)?;
        for (t, r) in live.iter().zip(results) {
            let sha = t.secret.sha256();
            if matches!(
                r.status,
                revoke::RevokeStatus::Failed | revoke::RevokeStatus::Refused
            ) {
                outcome.revoke_problems += 1;
            }
            let latest = session.cached(&t.provider, sha).cloned();
            set_fact(report, sha, |f| {
                f.revocation = json(&r);
                if let Some(v) = latest {
                    f.verification = json(&v);
                }
            });
        }
    }
    Ok(outcome)
}

fn items(report: &Report) -> Vec<Item> {
    report
        .secrets()
        .iter()
        .filter_map(|g| {
            let first: &Finding = g.locations.first()?;
            let more = g.locations.len() - 1;
            Some(Item {
                secret: first.secret.clone()?,
                rule: first.rule.clone(),
                provider: first.provider.clone(),
                webhook: g.locations.iter().any(|f| is_webhook(f)),
                label: format!(
                    "{}:{}{}",
                    first.path,
                    first.line,
                    if more > 0 {
                        format!(" (+{more} more)")
                    } else {
                        String::new()
                    }
                ),
            })
        })
        .collect()
}

/// A webhook signing secret (by its variable name): an HMAC key, not an API key.
pub fn is_webhook(f: &Finding) -> bool {
    f.detail
        .as_deref()
        .is_some_and(|d| d.to_ascii_lowercase().contains("webhook"))
}

/// The providers to ask about `item`, or why none is asked.
fn candidates(session: &Session, rules: &[Rule], item: &Item) -> Result<Vec<String>, String> {
    if item.webhook {
        return Err(
            "webhook signing secret: no provider API can check it, so it was sent nowhere".into(),
        );
    }
    let verifiable = |id: &str| session.provider(id).is_some_and(|p| p.verify.is_some());
    if let Some(id) = &item.provider {
        if verifiable(id) {
            return Ok(vec![id.clone()]);
        }
        let name = session
            .provider(id)
            .map_or(id.as_str(), |p| p.name.as_str());
        return Err(format!("{name} declares no verifier: not checked"));
    }
    let mut ids: Vec<String> = Vec::new();
    let hints = rules
        .iter()
        .find(|r| r.id == item.rule)
        .map(|r| r.provider_hints.as_slice())
        .unwrap_or_default();
    for h in hints {
        if verifiable(&h.provider) && !ids.contains(&h.provider) {
            ids.push(h.provider.clone());
        }
    }
    if ids.is_empty() {
        return Err(
            "provider unknown and the rule names no candidate with a verifier: not checked".into(),
        );
    }
    Ok(ids)
}

fn verify_item(
    session: &mut Session,
    rules: &[Rule],
    item: &Item,
) -> Result<Verification, RemediateError> {
    let ids = match candidates(session, rules, item) {
        Ok(ids) => ids,
        Err(why) => {
            return Ok(Verification {
                status: Status::Unknown,
                http_status: None,
                detail: why,
                checked_at: session.now(),
                provider: item.provider.clone().unwrap_or_default(),
                endpoint: None,
                account: None,
            })
        }
    };
    let mut tried: Vec<Verification> = Vec::new();
    for id in &ids {
        let v = verify(session, id, &item.rule, &item.secret)?;
        if v.status == Status::Live {
            if tried.is_empty() {
                return Ok(v);
            }
            let before = summary(session, &tried);
            return Ok(Verification {
                detail: format!("{} (tried first: {before})", v.detail),
                ..v
            });
        }
        tried.push(v);
    }
    if tried.len() == 1 {
        return Ok(tried.remove(0));
    }
    let all_dead = tried.iter().all(|v| v.status == Status::Dead);
    let detail = if all_dead {
        format!(
            "provider unknown; rejected by every candidate ({}): not a live key for any of them, but it may be live with another service",
            summary(session, &tried)
        )
    } else {
        format!(
            "provider unknown; no candidate recognised it ({})",
            summary(session, &tried)
        )
    };
    Ok(Verification {
        status: Status::Unknown,
        http_status: None,
        detail,
        checked_at: session.now(),
        provider: ids.join(", "),
        endpoint: None,
        account: None,
    })
}

fn summary(session: &Session, tried: &[Verification]) -> String {
    tried
        .iter()
        .map(|v| {
            let name = session
                .provider(&v.provider)
                .map_or(v.provider.as_str(), |p| p.name.as_str());
            format!("{name}: {} {}", v.status.as_str(), http_text(v.http_status))
        })
        .collect::<Vec<_>>()
        .join("; ")
}

fn http_text(status: Option<u16>) -> String {
    status.map_or("(no answer)".into(), |s| format!("(HTTP {s})"))
}

fn json<T: serde::Serialize>(v: &T) -> Option<serde_json::Value> {
    serde_json::to_value(v).ok()
}

fn set_fact(report: &mut Report, sha: &str, f: impl FnOnce(&mut crate::report::SecretFacts)) {
    f(report.facts.entry(sha.to_string()).or_default());
}
