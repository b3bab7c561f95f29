//! Guarded revocation through a provider's declared `[provider.revoke]` endpoint.
//!
//! The guards, in order: a key is revoked only when it verified live in this run (dead keys
//! are already done; unknown ones are left alone); only when a replacement key of the same
//! provider account has itself verified live ("never revoke the old key before the new one
//! is verified"; one replacement per account, see [`super::replace`]), unless the caller
//! accepts downtime (`emergency`); only after the user confirmed a listing of every key to
//! be revoked, which also goes to the audit log. Afterwards each key is re-verified and must
//! now be dead. Every decision, refusals included, goes to the audit log.

use super::audit::AuditEntry;
use super::replace::{self, Cover};
use super::session::{Call, Session};
use super::verify::{answer_matches, describe, verify, verify_fresh, Status, Verification};
use super::{scrub, RemediateError};
use crate::finding::Secret;
use crate::rules::{Provider, RevokeSpec};
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// What happened to one key.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RevokeStatus {
    /// The provider revoked it.
    Revoked,
    /// It was dead already: nothing to do (success).
    AlreadyDead,
    /// The revoke request failed, or the key still works afterwards.
    Failed,
    /// A guard stopped it; nothing was sent.
    Refused,
    /// The provider declares no revocation API: the dashboard is the way.
    NoApi,
}

impl RevokeStatus {
    /// The snake_case name used in reports and the audit log.
    pub fn as_str(self) -> &'static str {
        match self {
            RevokeStatus::Revoked => "revoked",
            RevokeStatus::AlreadyDead => "already_dead",
            RevokeStatus::Failed => "failed",
            RevokeStatus::Refused => "refused",
            RevokeStatus::NoApi => "no_api",
        }
    }

    /// True when the key is (now) dead.
    pub fn is_done(self) -> bool {
        matches!(self, RevokeStatus::Revoked | RevokeStatus::AlreadyDead)
    }
}

/// The revocation state of one key: `report.facts[sha].revocation`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Revocation {
    /// Outcome.
    pub status: RevokeStatus,
    /// Status of the revoke request's final answer; `null` when none was sent.
    pub http_status: Option<u16>,
    /// One sentence on what happened.
    pub detail: String,
    /// When, ISO 8601 UTC.
    pub at: String,
    /// Provider id.
    #[serde(default)]
    pub provider: String,
    /// Whether the key verified dead afterwards (`null`: not re-verified).
    pub confirmed_dead: Option<bool>,
}

/// A key the caller wants revoked.
#[derive(Clone, Debug)]
pub struct Target {
    /// The key.
    pub secret: Secret,
    /// Provider id it verified live with.
    pub provider: String,
    /// Rule id, for the audit log.
    pub rule: String,
    /// Where it was found, for the confirmation listing (`config/.env:3 (+1 more)`).
    pub label: String,
}

/// The new key that takes over, read from an environment variable.
#[derive(Clone, Debug)]
pub struct Replacement {
    /// The variable's name, for messages.
    pub var: String,
    /// The key.
    pub secret: Secret,
}

/// The user's guard settings.
#[derive(Clone, Debug, Default)]
pub struct Guard {
    /// The replacement keys, one per provider account (each must verify live unless
    /// `emergency`).
    pub replacements: Vec<Replacement>,
    /// Revoke without a verified replacement: the user accepts downtime.
    pub emergency: bool,
}

/// The user's answer to the listing of keys to revoke.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Confirmation {
    /// Typed the confirmation on the terminal.
    Typed,
    /// Confirmed in advance with an explicit flag (`--yes`).
    Flag,
    /// Answered anything else.
    Declined,
    /// Nobody to ask: no terminal and no flag.
    NoTerminal,
}

impl Confirmation {
    /// The audit log's outcome for a listed key.
    pub fn as_str(self) -> &'static str {
        match self {
            Confirmation::Typed => "confirmed",
            Confirmation::Flag => "confirmed_by_flag",
            Confirmation::Declined => "declined",
            Confirmation::NoTerminal => "no_terminal",
        }
    }
}

/// How a run talks to the user.
pub trait Prompt {
    /// A progress or result line.
    fn say(&mut self, line: &str);
    /// Shows `listing` of the `keys` keys to revoke and asks whether to go ahead.
    fn confirm(&mut self, listing: &str, keys: usize) -> Confirmation;
}

/// Revokes `targets` behind the guards; returns one result per target, in order.
pub fn run(
    session: &mut Session,
    targets: &[Target],
    guard: &Guard,
    prompt: &mut dyn Prompt,
) -> Result<Vec<Revocation>, RemediateError> {
    let mut results: Vec<Option<Revocation>> = Vec::with_capacity(targets.len());
    for t in targets {
        results.push(precheck(session, t)?);
    }
    let mut pending: Vec<usize> = (0..targets.len())
        .filter(|&i| results[i].is_none())
        .collect();
    let mut covers: Vec<Option<Cover>> = vec![None; targets.len()];
    if !guard.emergency {
        let assigned = replace::assign(session, targets, &pending, &guard.replacements)?;
        for (&i, cover) in pending.iter().zip(assigned) {
            match cover {
                Ok(c) => covers[i] = Some(c),
                Err(why) => results[i] = Some(refuse(session, &targets[i], why)?),
            }
        }
        pending.retain(|&i| results[i].is_none());
    }
    if !pending.is_empty() {
        let lines: Vec<String> = pending
            .iter()
            .map(|&i| entry(session, &targets[i], covers[i].as_ref(), guard))
            .collect();
        let refused = targets.len() - pending.len();
        let listing = listing(&lines, refused, guard.emergency);
        let answer = prompt.confirm(&listing, pending.len());
        for (&i, line) in pending.iter().zip(&lines) {
            audit_listed(session, &targets[i], line, answer)?;
        }
        let refusal = match answer {
            Confirmation::Typed | Confirmation::Flag => None,
            Confirmation::Declined => Some("not confirmed: nothing was revoked"),
            Confirmation::NoTerminal => {
                Some("no terminal to confirm on: pass --yes to revoke without a prompt")
            }
        };
        for &i in &pending {
            results[i] = match refusal {
                Some(why) => Some(refuse(session, &targets[i], why.to_string())?),
                None => Some(revoke_one(session, &targets[i])?),
            };
        }
    }
    let out: Vec<Revocation> = results.into_iter().flatten().collect();
    for (t, r) in targets.iter().zip(&out) {
        prompt.say(&format!(
            "revoke: {} ({}): {}: {}",
            t.secret.redacted(),
            t.provider,
            r.status.as_str(),
            r.detail
        ));
    }
    Ok(out)
}

/// The result for a target that must not or need not be revoked, or `None` to go on.
fn precheck(session: &mut Session, t: &Target) -> Result<Option<Revocation>, RemediateError> {
    let provider = session.require_provider(&t.provider)?;
    let v = verify(session, &t.provider, &t.rule, &t.secret)?;
    match v.status {
        Status::Dead => {
            let mut r = decided(
                session,
                t,
                RevokeStatus::AlreadyDead,
                format!("already dead, nothing to revoke ({})", v.detail),
            );
            r.confirmed_dead = Some(true);
            r.http_status = v.http_status;
            audit(session, t, &r, None, 0)?;
            Ok(Some(r))
        }
        Status::Unknown => refuse(
            session,
            t,
            format!(
                "not verified live ({}): keyhound revokes only keys it has just seen live",
                v.detail
            ),
        )
        .map(Some),
        Status::Live if provider.revoke.is_none() => {
            let where_ = provider
                .dashboard
                .as_deref()
                .map_or(String::new(), |d| format!(": {d}"));
            let r = decided(
                session,
                t,
                RevokeStatus::NoApi,
                format!(
                    "{} has no revocation API; revoke it in the dashboard{where_}",
                    provider.name
                ),
            );
            audit(session, t, &r, None, 0)?;
            Ok(Some(r))
        }
        Status::Live => Ok(None),
    }
}

/// One key of the listing: what it is, where it was found, what stands in for it.
fn entry(session: &Session, t: &Target, cover: Option<&Cover>, guard: &Guard) -> String {
    let name = session
        .provider(&t.provider)
        .map_or(t.provider.as_str(), |p| p.name.as_str());
    let mut line = format!(
        "{name} key {} (sha256 {}…) at {}",
        t.secret.redacted(),
        &t.secret.sha256()[..12],
        crate::escape::text(&t.label)
    );
    let rep = cover.and_then(|c| Some((c, guard.replacements.get(c.replacement)?)));
    if let Some((c, rep)) = rep {
        let whose = match &c.account {
            Some(a) => format!("same {name} account `{a}`"),
            None => format!("{name} names no account, so it stands in for this key only"),
        };
        line.push_str(&format!(
            "; replacement ${} ({}) verified live, {whose}",
            rep.var,
            rep.secret.redacted()
        ));
    }
    line
}

/// What the user is asked to confirm: every key to be revoked, one per line.
fn listing(lines: &[String], refused: usize, emergency: bool) -> String {
    let n = lines.len();
    let mut out = format!(
        "About to revoke {n} key{}. Revocation is immediate and final: anything still using {} fails on its next request.\n",
        if n == 1 { "" } else { "s" },
        if n == 1 { "it" } else { "them" }
    );
    for line in lines {
        out.push_str(&format!("  - {line}\n"));
    }
    if refused > 0 {
        out.push_str(&format!(
            "Not in this list: {refused} other key{} (already dead, refused or without an API; see below).\n",
            if refused == 1 { "" } else { "s" }
        ));
    }
    if emergency {
        out.push_str(
            "EMERGENCY: the replacement was not required to verify; services using these keys fail until a new key is deployed.\n",
        );
    }
    out
}

/// Records that `t` was listed for revocation, and the user's answer.
fn audit_listed(
    session: &mut Session,
    t: &Target,
    line: &str,
    answer: Confirmation,
) -> Result<(), RemediateError> {
    let endpoint = endpoint_host(session, t);
    session.audit(AuditEntry {
        time: session.now(),
        action: "confirm",
        rule: t.rule.clone(),
        provider: t.provider.clone(),
        secret_sha256: t.secret.sha256().to_string(),
        endpoint,
        http_status: None,
        outcome: answer.as_str().to_string(),
        attempts: 0,
        detail: format!("listed for revocation: {line}"),
    })
}

fn endpoint_host(session: &Session, t: &Target) -> String {
    session
        .provider(&t.provider)
        .and_then(|p| session.endpoint(p).ok())
        .map(|e| e.host())
        .unwrap_or_default()
}

/// Sends the revoke request, then re-verifies.
fn revoke_one(session: &mut Session, t: &Target) -> Result<Revocation, RemediateError> {
    let (provider, spec) = session.declared(&t.provider, "revoke", |p| p.revoke.as_ref())?;
    let call = Call {
        method: spec.method.get_ref(),
        path: spec.path.get_ref(),
        auth: spec.auth,
        body: spec
            .body
            .as_ref()
            .map(|b| b.replace("{key_sha256}", t.secret.sha256())),
    };
    let ex = session.exchange(&provider, &t.secret, call)?;
    let (status, http_status, detail) = match &ex.result {
        Ok(answer) => {
            let (status, detail) = read_answer(&spec, &provider, answer);
            (status, Some(answer.status), detail)
        }
        Err(e) => (RevokeStatus::Failed, None, format!("no answer: {e}")),
    };
    let mut r = decided(session, t, status, scrub(&detail, &t.secret));
    r.http_status = http_status;
    audit(session, t, &r, Some(ex.host), ex.attempts)?;
    let after = verify_fresh(session, &t.provider, &t.rule, &t.secret)?;
    Ok(confirm_dead(r, &after))
}

/// Reads the revoke answer: success statuses, already-dead patterns, or failure.
fn read_answer(
    spec: &RevokeSpec,
    provider: &Provider,
    answer: &super::http::Answer,
) -> (RevokeStatus, String) {
    let json: Option<Value> = serde_json::from_str(&answer.body).ok();
    let patterns = spec.already_dead.iter().chain(
        provider
            .verify
            .iter()
            .flat_map(|v| v.live.iter().chain(&v.dead)),
    );
    let what = describe(answer, json.as_ref(), patterns);
    if spec.success.contains(&answer.status) {
        (RevokeStatus::Revoked, format!("revoked ({what})"))
    } else if spec
        .already_dead
        .iter()
        .any(|m| answer_matches(m, answer.status, json.as_ref()))
    {
        (RevokeStatus::AlreadyDead, format!("already dead ({what})"))
    } else {
        (RevokeStatus::Failed, format!("revoke failed ({what})"))
    }
}

/// Folds the re-verification into the result: a revoked key must now be dead.
fn confirm_dead(mut r: Revocation, after: &Verification) -> Revocation {
    let dead = after.status == Status::Dead;
    r.confirmed_dead = Some(dead);
    r.detail = match (r.status.is_done(), dead) {
        (true, true) => format!("{}; re-verified: now dead ({})", r.detail, after.detail),
        (true, false) => {
            r.status = RevokeStatus::Failed;
            format!(
                "{} but the key still verifies {} ({}): treat it as NOT revoked",
                r.detail,
                after.status.as_str(),
                after.detail
            )
        }
        (false, true) => {
            r.status = RevokeStatus::Revoked;
            format!(
                "{}; yet the key now verifies dead ({})",
                r.detail, after.detail
            )
        }
        (false, false) => format!(
            "{}; the key still verifies {} ({})",
            r.detail,
            after.status.as_str(),
            after.detail
        ),
    };
    r
}

fn decided(session: &Session, t: &Target, status: RevokeStatus, detail: String) -> Revocation {
    Revocation {
        status,
        http_status: None,
        detail,
        at: session.now(),
        provider: t.provider.clone(),
        confirmed_dead: None,
    }
}

fn refuse(session: &mut Session, t: &Target, why: String) -> Result<Revocation, RemediateError> {
    let r = decided(session, t, RevokeStatus::Refused, why);
    audit(session, t, &r, None, 0)?;
    Ok(r)
}

fn audit(
    session: &mut Session,
    t: &Target,
    r: &Revocation,
    host: Option<String>,
    attempts: u32,
) -> Result<(), RemediateError> {
    let endpoint = host.unwrap_or_else(|| endpoint_host(session, t));
    session.audit(AuditEntry {
        time: r.at.clone(),
        action: "revoke",
        rule: t.rule.clone(),
        provider: t.provider.clone(),
        secret_sha256: t.secret.sha256().to_string(),
        endpoint,
        http_status: r.http_status,
        outcome: r.status.as_str().to_string(),
        attempts,
        detail: r.detail.clone(),
    })
}
