//! The HTTP client behind verify and revoke, and the network discipline it enforces:
//! requests only to a validated [`Endpoint`] (a provider's declared API base or an explicit
//! override), HTTPS only except to loopback addresses, no credentials in URLs, redirects
//! never followed, one deadline per request (connect, headers and body), bounded answer bodies.
//!
//! The key travels only in the `Authorization` header, marked sensitive so reqwest's `Debug`
//! hides it; errors are stripped of their URL and name only the host.

use crate::rules::AuthScheme;
use reqwest::header::{HeaderValue, AUTHORIZATION, CONTENT_TYPE, LOCATION};
use reqwest::Client;
use reqwest::{Method, Url};
use std::net::IpAddr;
use std::time::Duration;

/// Default deadline of one request: connect, send, headers and body together.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);
/// Timeout of the connect phase.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// At most this much of an answer's body is read.
pub const MAX_BODY: usize = 64 * 1024;

/// A network-level failure or a refused URL. Messages name hosts, never URLs with paths or
/// headers, so they cannot carry a key.
#[derive(Debug, thiserror::Error)]
pub enum HttpError {
    /// The URL does not parse or is not a usable API base.
    #[error("bad endpoint URL `{url}`: {reason}")]
    BadUrl {
        /// The URL as given.
        url: String,
        /// Why.
        reason: String,
    },
    /// Plain `http://` to a host that is not a loopback address.
    #[error("refusing plain http:// to {host}: keys go over HTTPS only (http:// is allowed for loopback addresses)")]
    Insecure {
        /// The host.
        host: String,
    },
    /// No complete answer within the deadline (connect, headers and body together).
    #[error("no complete answer from {host} within {seconds}s")]
    Timeout {
        /// The host.
        host: String,
        /// The timeout.
        seconds: u64,
    },
    /// The connection failed.
    #[error("cannot connect to {host}: {reason}")]
    Connect {
        /// The host.
        host: String,
        /// Why.
        reason: String,
    },
    /// Anything else on the way.
    #[error("request to {host} failed: {reason}")]
    Failed {
        /// The host.
        host: String,
        /// Why.
        reason: String,
    },
    /// The key cannot be put in a header (control characters).
    #[error("the key contains characters that cannot be sent in an HTTP header")]
    BadKey,
    /// The client could not be built.
    #[error("cannot set up the HTTP client: {0}")]
    Client(String),
}

/// A validated API base URL: `https://`, or `http://` to a loopback address; a host; no
/// user info, query or fragment.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Endpoint {
    base: Url,
}

impl Endpoint {
    /// Validates `url` as an API base.
    pub fn parse(url: &str) -> Result<Endpoint, HttpError> {
        let bad = |reason: &str| HttpError::BadUrl {
            url: url.to_string(),
            reason: reason.to_string(),
        };
        let base = Url::parse(url.trim()).map_err(|e| bad(&e.to_string()))?;
        if !base.username().is_empty() || base.password().is_some() {
            // Do not echo the URL: it holds credentials.
            return Err(HttpError::BadUrl {
                url: base.host_str().unwrap_or("?").to_string(),
                reason: "credentials in endpoint URLs are not allowed".into(),
            });
        }
        if base.query().is_some() || base.fragment().is_some() {
            return Err(bad("an API base takes no query or fragment"));
        }
        if base.host_str().is_none_or(str::is_empty) {
            return Err(bad("no host"));
        }
        let endpoint = Endpoint { base };
        match endpoint.base.scheme() {
            "https" => Ok(endpoint),
            "http" if endpoint.is_loopback() => Ok(endpoint),
            "http" => Err(HttpError::Insecure {
                host: endpoint.host(),
            }),
            other => Err(bad(&format!("unsupported scheme `{other}`"))),
        }
    }

    /// `host` or `host:port`, for messages and the audit log.
    pub fn host(&self) -> String {
        let host = self.base.host_str().unwrap_or_default();
        match self.base.port() {
            Some(port) => format!("{host}:{port}"),
            None => host.to_string(),
        }
    }

    /// The base URL as given (normalised).
    pub fn as_str(&self) -> &str {
        self.base.as_str()
    }

    /// True for `localhost`, `127.0.0.0/8` and `::1`.
    pub fn is_loopback(&self) -> bool {
        let host = self.base.host_str().unwrap_or_default();
        let bare = host.trim_start_matches('[').trim_end_matches(']');
        host.eq_ignore_ascii_case("localhost")
            || bare.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
    }

    /// The base with `path` (which must start with `/`) appended. The result is checked to
    /// stay on the base's scheme, host and port.
    pub fn join(&self, path: &str) -> Result<Url, HttpError> {
        if !path.starts_with('/') {
            return Err(HttpError::BadUrl {
                url: path.to_string(),
                reason: "request paths in rules must start with `/`".into(),
            });
        }
        let joined = format!("{}{path}", self.base.as_str().trim_end_matches('/'));
        let url = Url::parse(&joined).map_err(|e| HttpError::BadUrl {
            url: joined.clone(),
            reason: e.to_string(),
        })?;
        let same = url.scheme() == self.base.scheme()
            && url.host_str() == self.base.host_str()
            && url.port_or_known_default() == self.base.port_or_known_default();
        if !same {
            return Err(HttpError::BadUrl {
                url: joined,
                reason: "the path leaves the API base".into(),
            });
        }
        Ok(url)
    }
}

/// One request: the key only ever travels in `authorization`.
#[derive(Debug)]
pub struct Request {
    /// Method.
    pub method: Method,
    /// Full URL (built by [`Endpoint::join`]; never holds the key).
    pub url: Url,
    /// `Authorization` value, marked sensitive.
    pub authorization: HeaderValue,
    /// JSON body.
    pub body: Option<String>,
}

/// The `Authorization` header value for `scheme`, marked sensitive.
pub fn authorization(scheme: AuthScheme, key: &str) -> Result<HeaderValue, HttpError> {
    let word = match scheme {
        AuthScheme::Bearer => "Bearer",
        AuthScheme::Token => "Token",
    };
    let mut value =
        HeaderValue::from_str(&format!("{word} {key}")).map_err(|_| HttpError::BadKey)?;
    value.set_sensitive(true);
    Ok(value)
}

/// What came back.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Answer {
    /// HTTP status.
    pub status: u16,
    /// `Content-Type`, if any.
    pub content_type: Option<String>,
    /// For redirects: the host the `Location` header points at (not followed).
    pub redirect_host: Option<String>,
    /// The body, at most [`MAX_BODY`] bytes, lossily decoded.
    pub body: String,
}

/// An HTTP client with keyhound's rules, blocking to its callers. One deadline covers a
/// whole request: connecting, sending, the answer's headers and its body; a server that
/// drips bytes cannot keep a request alive past it. Loopback endpoints bypass any
/// configured proxy; everything else honours the usual proxy environment variables.
pub struct HttpClient {
    proxied: Client,
    direct: Client,
    timeout: Duration,
    /// Drives the async client; dropped after the clients (field order).
    runtime: tokio::runtime::Runtime,
}

impl HttpClient {
    /// A client whose every request ends within `timeout` (connect phase at most
    /// [`CONNECT_TIMEOUT`]).
    pub fn new(timeout: Duration) -> Result<HttpClient, HttpError> {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| HttpError::Client(e.to_string()))?;
        let build = |direct: bool| {
            let mut b = Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .connect_timeout(CONNECT_TIMEOUT.min(timeout))
                .timeout(timeout)
                .user_agent(concat!("keyhound/", env!("CARGO_PKG_VERSION")));
            if direct {
                b = b.no_proxy();
            }
            b.build()
                .map_err(|e| HttpError::Client(e.without_url().to_string()))
        };
        Ok(HttpClient {
            proxied: build(false)?,
            direct: build(true)?,
            timeout,
            runtime,
        })
    }

    /// Sends `req` to `endpoint` (whose host `req.url` must be on) and reads the answer,
    /// all of it within the client's timeout.
    pub fn send(&self, endpoint: &Endpoint, req: &Request) -> Result<Answer, HttpError> {
        let host = endpoint.host();
        let client = if endpoint.is_loopback() {
            &self.direct
        } else {
            &self.proxied
        };
        let exchange = self.exchange(client, &host, req);
        match self
            .runtime
            .block_on(async { tokio::time::timeout(self.timeout, exchange).await })
        {
            Ok(result) => result,
            Err(_elapsed) => Err(self.timed_out(&host)),
        }
    }

    /// The request and the reading of its answer, bounded by [`MAX_BODY`] but not in time.
    async fn exchange(
        &self,
        client: &Client,
        host: &str,
        req: &Request,
    ) -> Result<Answer, HttpError> {
        let mut builder = client
            .request(req.method.clone(), req.url.clone())
            .header(AUTHORIZATION, req.authorization.clone());
        if let Some(body) = &req.body {
            builder = builder
                .header(CONTENT_TYPE, "application/json")
                .body(body.clone());
        }
        let mut response = builder.send().await.map_err(|e| self.error(host, e))?;
        let status = response.status().as_u16();
        let header = |name| {
            response
                .headers()
                .get(name)
                .and_then(|v: &HeaderValue| v.to_str().ok())
                .map(str::to_string)
        };
        let content_type = header(CONTENT_TYPE);
        let redirect_host = header(LOCATION).map(|loc| {
            req.url
                .join(&loc)
                .ok()
                .and_then(|u| u.host_str().map(str::to_string))
                .unwrap_or_else(|| "an unparseable location".into())
        });
        let mut bytes = Vec::new();
        while bytes.len() < MAX_BODY {
            let chunk = response
                .chunk()
                .await
                .map_err(|e| match self.error(host, e) {
                    HttpError::Failed { host, reason } => HttpError::Failed {
                        host,
                        reason: format!("reading the answer: {reason}"),
                    },
                    other => other,
                })?;
            let Some(chunk) = chunk else { break };
            let room = MAX_BODY - bytes.len();
            bytes.extend_from_slice(&chunk[..chunk.len().min(room)]);
        }
        Ok(Answer {
            status,
            content_type,
            redirect_host,
            body: String::from_utf8_lossy(&bytes).into_owned(),
        })
    }

    fn timed_out(&self, host: &str) -> HttpError {
        HttpError::Timeout {
            host: host.to_string(),
            seconds: self.timeout.as_secs().max(1),
        }
    }

    fn error(&self, host: &str, err: reqwest::Error) -> HttpError {
        let err = err.without_url();
        if err.is_timeout() {
            self.timed_out(host)
        } else if err.is_connect() {
            HttpError::Connect {
                host: host.to_string(),
                reason: root_cause(&err),
            }
        } else {
            HttpError::Failed {
                host: host.to_string(),
                reason: root_cause(&err),
            }
        }
    }
}

/// The innermost error message (e.g. "Connection refused"), which is the useful one.
fn root_cause(err: &(dyn std::error::Error + 'static)) -> String {
    let mut cur = err;
    while let Some(next) = cur.source() {
        cur = next;
    }
    cur.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn https_anywhere_http_only_on_loopback() {
        assert!(Endpoint::parse("https://api.meetso.ai").is_ok());
        for ok in [
            "http://127.0.0.1:8080",
            "http://127.1.2.3",
            "http://localhost:9/x",
            "http://[::1]:80",
        ] {
            assert!(Endpoint::parse(ok).is_ok(), "{ok}");
        }
        for insecure in ["http://api.meetso.ai", "http://10.0.0.1", "http://[::2]"] {
            assert!(
                matches!(Endpoint::parse(insecure), Err(HttpError::Insecure { .. })),
                "{insecure}"
            );
        }
        for bad in [
            "ftp://x.example",
            "https://u:p@x.example",
            "https://x.example/?a=1",
            "not a url",
        ] {
            assert!(
                matches!(Endpoint::parse(bad), Err(HttpError::BadUrl { .. })),
                "{bad}"
            );
        }
    }

    #[test]
    fn credentials_in_urls_are_not_echoed() {
        let err = Endpoint::parse("https://user:hunter2secret@x.example").unwrap_err();
        assert!(!err.to_string().contains("hunter2secret"), "{err}");
    }

    #[test]
    fn join_appends_and_stays_on_the_host() {
        let e = Endpoint::parse("https://api.meetstream.ai/api/v1/").unwrap();
        assert_eq!(
            e.join("/bots/x/status").unwrap().as_str(),
            "https://api.meetstream.ai/api/v1/bots/x/status"
        );
        let e = Endpoint::parse("https://api.meetso.ai").unwrap();
        assert_eq!(
            e.join("/public/v1/meetings?limit=1").unwrap().as_str(),
            "https://api.meetso.ai/public/v1/meetings?limit=1"
        );
        assert!(e.join("public").is_err());
        assert!(e.join("@evil.example/").is_err());
        assert_eq!(e.host(), "api.meetso.ai");
    }

    #[test]
    fn authorization_is_sensitive_and_hidden_from_debug() {
        let v = authorization(AuthScheme::Bearer, "mts_live_AbCdEf0123456789AbCdEf01").unwrap();
        assert!(v.is_sensitive());
        assert!(!format!("{v:?}").contains("AbCdEf0123456789"));
        assert!(authorization(AuthScheme::Token, "a\nb").is_err());
    }
}
