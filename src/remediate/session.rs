//! One verify/revoke run: the providers and their resolved endpoints, the HTTP client, the
//! per-key rate limiter and backoff on one clock, the audit log, and the cache that makes
//! each distinct secret checked once per provider.

use super::audit::{AuditEntry, AuditLog};
use super::http::{authorization, Answer, Endpoint, HttpClient, HttpError, Request};
use super::ratelimit::{self, retryable, Backoff, Clock, Limiter, SystemClock, Window};
use super::verify::Verification;
use super::{scrub, timestamp, RemediateError};
use crate::finding::Secret;
use crate::rules::{AuthScheme, Provider};
use reqwest::Method;
use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

/// How to set up a session.
#[derive(Clone, Debug)]
pub struct SessionOptions {
    /// API base overrides by provider id (config `[endpoints]`, then `--endpoint`).
    pub endpoints: BTreeMap<String, String>,
    /// Total timeout per request.
    pub timeout: Duration,
    /// Where to append the audit trail (`None`: no audit log, for library callers).
    pub audit_log: Option<PathBuf>,
}

impl Default for SessionOptions {
    fn default() -> Self {
        SessionOptions {
            endpoints: BTreeMap::new(),
            timeout: super::http::DEFAULT_TIMEOUT,
            audit_log: None,
        }
    }
}

/// One API call as a provider spec describes it.
pub(crate) struct Call<'a> {
    pub(crate) method: &'a str,
    pub(crate) path: &'a str,
    pub(crate) auth: AuthScheme,
    pub(crate) body: Option<String>,
}

/// The end of a call after retries: the final answer or error, where it went, how many
/// requests it took.
pub(crate) struct Exchange {
    pub(crate) host: String,
    pub(crate) result: Result<Answer, HttpError>,
    pub(crate) attempts: u32,
}

/// A verify/revoke session.
pub struct Session {
    providers: Vec<Provider>,
    overrides: BTreeMap<String, Endpoint>,
    client: HttpClient,
    clock: Arc<dyn Clock>,
    limiter: Limiter,
    windows: HashMap<String, Vec<Window>>,
    backoff: Backoff,
    audit: Option<AuditLog>,
    cache: HashMap<(String, String), Verification>,
}

impl Session {
    /// Validates the endpoint overrides (known provider ids, HTTPS or loopback) and opens
    /// the audit log. Sends nothing.
    pub fn new(providers: &[Provider], opts: &SessionOptions) -> Result<Session, RemediateError> {
        let mut overrides = BTreeMap::new();
        for (id, url) in &opts.endpoints {
            if !providers.iter().any(|p| &p.id == id) {
                return Err(RemediateError::UnknownProvider {
                    id: id.clone(),
                    known: known_ids(providers),
                });
            }
            overrides.insert(id.clone(), Endpoint::parse(url)?);
        }
        let audit = opts.audit_log.as_deref().map(AuditLog::open).transpose()?;
        Ok(Session {
            windows: providers
                .iter()
                .map(|p| (p.id.clone(), ratelimit::windows(p.rate_limit.as_ref())))
                .collect(),
            providers: providers.to_vec(),
            overrides,
            client: HttpClient::new(opts.timeout)?,
            clock: Arc::new(SystemClock::default()),
            limiter: Limiter::default(),
            backoff: Backoff::default(),
            audit,
            cache: HashMap::new(),
        })
    }

    /// Replaces the clock and the backoff schedule (tests run in virtual time with them).
    pub fn with_clock(mut self, clock: Arc<dyn Clock>, backoff: Backoff) -> Session {
        self.clock = clock;
        self.backoff = backoff;
        self
    }

    /// Replaces a provider's declared rate-limit windows (plans with other limits; tests).
    pub fn with_rate_limit(mut self, provider: &str, windows: Vec<Window>) -> Session {
        self.windows.insert(provider.to_string(), windows);
        self
    }

    /// The provider with this id.
    pub fn provider(&self, id: &str) -> Option<&Provider> {
        self.providers.iter().find(|p| p.id == id)
    }

    /// The provider with this id, or an error listing the known ones.
    pub fn require_provider(&self, id: &str) -> Result<Provider, RemediateError> {
        self.provider(id)
            .cloned()
            .ok_or_else(|| RemediateError::UnknownProvider {
                id: id.to_string(),
                known: known_ids(&self.providers),
            })
    }

    /// The provider `id` and the spec `pick` takes from it (its verify or revoke endpoint), or
    /// an error saying the provider declares none.
    pub(crate) fn declared<T: Clone>(
        &self,
        id: &str,
        what: &'static str,
        pick: impl Fn(&Provider) -> Option<&T>,
    ) -> Result<(Provider, T), RemediateError> {
        let provider = self.require_provider(id)?;
        let spec = pick(&provider)
            .cloned()
            .ok_or_else(|| RemediateError::NotDeclared {
                provider: provider.name.clone(),
                what,
            })?;
        Ok((provider, spec))
    }

    /// Where requests for `provider` go: the override, else the declared API base.
    pub fn endpoint(&self, provider: &Provider) -> Result<Endpoint, HttpError> {
        match self.overrides.get(&provider.id) {
            Some(e) => Ok(e.clone()),
            None => Endpoint::parse(provider.api_base.get_ref()),
        }
    }

    /// `(provider id, base URL)` of every overridden endpoint, for a notice to the user.
    pub fn overridden(&self) -> Vec<(String, String)> {
        self.overrides
            .iter()
            .map(|(id, e)| (id.clone(), e.as_str().to_string()))
            .collect()
    }

    /// Where the audit log is, if one is kept.
    pub fn audit_path(&self) -> Option<&std::path::Path> {
        self.audit.as_ref().map(AuditLog::path)
    }

    /// The current wall time as an ISO 8601 UTC timestamp.
    pub fn now(&self) -> String {
        timestamp(self.clock.wall())
    }

    pub(crate) fn cached(&self, provider: &str, sha: &str) -> Option<&Verification> {
        self.cache.get(&(provider.to_string(), sha.to_string()))
    }

    pub(crate) fn remember(&mut self, sha: &str, v: &Verification) {
        self.cache
            .insert((v.provider.clone(), sha.to_string()), v.clone());
    }

    /// Sends `call` for `secret` to `provider`, within the rate limit, retrying 429 and 5xx
    /// answers with backoff. The answer comes back with every echo of the key scrubbed. Network failures are in the result; setup problems (a bad
    /// endpoint or method, a key unfit for a header) are errors.
    pub(crate) fn exchange(
        &mut self,
        provider: &Provider,
        secret: &Secret,
        call: Call<'_>,
    ) -> Result<Exchange, RemediateError> {
        let endpoint = self.endpoint(provider)?;
        let method =
            Method::from_bytes(call.method.to_ascii_uppercase().as_bytes()).map_err(|_| {
                RemediateError::Spec {
                    provider: provider.id.clone(),
                    reason: format!("unknown HTTP method `{}`", call.method),
                }
            })?;
        let request = Request {
            method,
            url: endpoint.join(call.path)?,
            authorization: authorization(call.auth, secret.expose())?,
            body: call.body,
        };
        let key = format!("{}:{}", provider.id, secret.sha256());
        let windows = self.windows.get(&provider.id).cloned().unwrap_or_default();
        let mut attempts = 0;
        loop {
            self.limiter.acquire(&key, &windows, self.clock.as_ref());
            attempts += 1;
            let result = self
                .client
                .send(&endpoint, &request)
                .map(|answer| scrubbed(answer, secret));
            self.limiter.record(&key, &windows, self.clock.now());
            let retry = match &result {
                Ok(answer) if retryable(answer.status) => self.backoff.delay(attempts as usize - 1),
                _ => None,
            };
            match retry {
                Some(wait) => self.clock.sleep(wait),
                None => {
                    return Ok(Exchange {
                        host: endpoint.host(),
                        result,
                        attempts,
                    })
                }
            }
        }
    }

    /// Appends to the audit log, if one is kept.
    pub(crate) fn audit(&mut self, entry: AuditEntry) -> Result<(), RemediateError> {
        match &mut self.audit {
            Some(log) => Ok(log.append(&entry)?),
            None => Ok(()),
        }
    }
}

/// `answer` with every echo of `secret` scrubbed from its whole body and headers, before
/// anything reads or shortens them.
fn scrubbed(answer: Answer, secret: &Secret) -> Answer {
    Answer {
        status: answer.status,
        content_type: answer.content_type.map(|c| scrub(&c, secret)),
        redirect_host: answer.redirect_host.map(|h| scrub(&h, secret)),
        body: scrub(&answer.body, secret),
    }
}

fn known_ids(providers: &[Provider]) -> String {
    providers
        .iter()
        .filter(|p| p.verify.is_some() || p.revoke.is_some())
        .map(|p| p.id.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}
