//! Remediation: asking providers whether leaked keys are live ([`verify`]), revoking live
//! ones behind guards ([`revoke`]), and applying both to a scan report ([`scan`]).
//!
//! The network discipline lives in [`http`] (declared endpoints or explicit overrides only,
//! HTTPS except loopback, no redirects, timeouts) and [`ratelimit`] (per-key limits,
//! backoff, injectable clock); every decision is appended to the [`audit`] log; a
//! [`Session`] ties them together for one run. Nothing in this module sends a request
//! unless a caller asked for verification or revocation, and no secret reaches a message,
//! an error, a log line or `Debug` output.

pub mod audit;
pub mod http;
pub mod ratelimit;
pub mod replace;
pub mod revoke;
pub mod scan;
pub mod scrub;
pub mod session;
pub mod verify;

pub use revoke::{Revocation, RevokeStatus};
pub use scrub::scrub;
pub use session::{Session, SessionOptions};
pub use verify::{Status, Verification};

use std::time::{SystemTime, UNIX_EPOCH};

/// A problem that stops verification or revocation before or outside the network: a bad
/// endpoint, an unknown provider, a broken provider spec, an audit log that cannot be
/// written. Answers from the network are never errors: they are results.
#[derive(Debug, thiserror::Error)]
pub enum RemediateError {
    /// A bad endpoint URL or an unusable key.
    #[error(transparent)]
    Http(#[from] http::HttpError),
    /// A provider id nobody declared.
    #[error("unknown provider `{id}` (providers with an API check: {known})")]
    UnknownProvider {
        /// The id given.
        id: String,
        /// The ids that exist.
        known: String,
    },
    /// The provider declares no way to do what was asked.
    #[error("{provider} declares no {what} endpoint")]
    NotDeclared {
        /// Provider name.
        provider: String,
        /// `verify` or `revoke`.
        what: &'static str,
    },
    /// A provider spec that cannot be used.
    #[error("provider `{provider}`: {reason}")]
    Spec {
        /// Provider id.
        provider: String,
        /// Why.
        reason: String,
    },
    /// The audit log could not be written.
    #[error(transparent)]
    Audit(#[from] audit::AuditError),
}

/// `2025-03-04T09:00:00+00:00` (UTC) for `t`.
pub fn timestamp(t: SystemTime) -> String {
    let secs = t
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX));
    gix::date::Time::new(secs, 0)
        .format(gix::date::time::format::ISO8601_STRICT)
        .unwrap_or_else(|_| secs.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn timestamps_are_iso8601_utc() {
        let t = UNIX_EPOCH + Duration::from_secs(1_741_078_800);
        assert_eq!(timestamp(t), "2025-03-04T09:00:00+00:00");
    }
}
