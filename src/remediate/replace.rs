//! Which verified replacement key stands in for which key to revoke.
//!
//! Keys are grouped by provider and account (as the provider's verify answer names it, at
//! the spec's `account` pointer). Each group needs a replacement of its own: one that
//! verifies live with the same provider, names the same account, and is not itself one of
//! the keys being revoked. A key whose account the provider does not name is a group of its
//! own, so it needs a replacement no other key uses: one new key never authorises revoking
//! keys of accounts it was not shown to belong to.

use super::revoke::{Replacement, Target};
use super::session::Session;
use super::verify::{verify, Status};
use super::RemediateError;

/// The replacement that stands in for one key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Cover {
    /// Index into the replacements given.
    pub replacement: usize,
    /// The account both keys name; `None` when the provider names none (the replacement is
    /// then dedicated to this key).
    pub account: Option<String>,
}

/// A group of keys that one replacement may stand in for.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Group {
    /// Keys of this provider naming this account.
    Account(String, String),
    /// One key (by SHA-256) whose account is not named.
    Key(String),
}

/// Why there is no replacement at all.
pub const NO_REPLACEMENT: &str = "no replacement key verified: deploy the new key, then pass --replacement-env VAR (it must verify live; one per provider account), or --emergency to revoke now and accept downtime";

/// For each of `targets[i]`, `i` in `pending` (in that order): the replacement that stands in
/// for it, or why none does.
pub fn assign(
    session: &mut Session,
    targets: &[Target],
    pending: &[usize],
    replacements: &[Replacement],
) -> Result<Vec<Result<Cover, String>>, RemediateError> {
    let mut used: Vec<Option<Group>> = vec![None; replacements.len()];
    let mut out = Vec::with_capacity(pending.len());
    for &i in pending {
        let t = &targets[i];
        if replacements.is_empty() {
            out.push(Err(NO_REPLACEMENT.to_string()));
            continue;
        }
        let account = session
            .cached(&t.provider, t.secret.sha256())
            .and_then(|v| v.account.clone());
        let group = match &account {
            Some(a) => Group::Account(t.provider.clone(), a.clone()),
            None => Group::Key(t.secret.sha256().to_string()),
        };
        let mut reasons = Vec::new();
        let mut cover = None;
        for (r, rep) in replacements.iter().enumerate() {
            match check(session, targets, t, account.as_deref(), rep, &used[r])? {
                Ok(()) => {
                    used[r] = Some(group.clone());
                    cover = Some(Cover {
                        replacement: r,
                        account: account.clone(),
                    });
                    break;
                }
                Err(why) => reasons.push(why),
            }
        }
        out.push(cover.ok_or_else(|| match reasons.len() {
            1 => reasons.remove(0),
            _ => format!(
                "no replacement stands in for this key: {}",
                reasons.join("; ")
            ),
        }));
    }
    Ok(out)
}

/// Whether `rep` may stand in for `t` (of `account`), given the group it already stands in
/// for; the reason when not.
fn check(
    session: &mut Session,
    targets: &[Target],
    t: &Target,
    account: Option<&str>,
    rep: &Replacement,
    used_by: &Option<Group>,
) -> Result<Result<(), String>, RemediateError> {
    let var = &rep.var;
    if rep.secret.sha256() == t.secret.sha256() {
        return Ok(Err(format!("the replacement in ${var} is this same key")));
    }
    if let Some(other) = targets
        .iter()
        .find(|o| o.secret.sha256() == rep.secret.sha256())
    {
        return Ok(Err(format!(
            "the replacement in ${var} is itself one of the keys to revoke ({} at {})",
            other.secret.redacted(),
            other.label
        )));
    }
    let name = session
        .provider(&t.provider)
        .map_or(t.provider.clone(), |p| p.name.clone());
    let v = verify(session, &t.provider, "replacement", &rep.secret)?;
    if v.status != Status::Live {
        return Ok(Err(format!(
            "the replacement key in ${var} is not live ({}: {}); revoking now would take down whatever uses this key",
            v.status.as_str(),
            v.detail
        )));
    }
    let mismatch = match (account, v.account.as_deref()) {
        (Some(a), Some(b)) if a == b => None,
        (Some(a), Some(b)) => Some(format!(
            "${var} is live but belongs to {name} account `{b}`, not `{a}`: pass --replacement-env with a live key of account `{a}`"
        )),
        (Some(a), None) => Some(format!(
            "${var} is live but {name} did not name its account, so it cannot stand in for keys of account `{a}`"
        )),
        (None, _) => None,
    };
    if let Some(why) = mismatch {
        return Ok(Err(why));
    }
    let this_group = account.map(|a| Group::Account(t.provider.clone(), a.to_string()));
    if let Some(other) = used_by.as_ref().filter(|g| Some(*g) != this_group.as_ref()) {
        return Ok(Err(match other {
            Group::Account(_, a) => format!("${var} already stands in for the keys of {name} account `{a}`"),
            Group::Key(_) => format!("${var} already stands in for another key whose account {name} does not name; each such key needs a replacement of its own"),
        }));
    }
    Ok(Ok(()))
}
