//! One upstream service: its base URL, its HTTP client and its rate limit.

use std::collections::BTreeMap;
use std::num::{NonZeroU32, NonZeroUsize};
use std::sync::Arc;
use std::time::Duration;

use governor::{DefaultDirectRateLimiter, Quota, RateLimiter};
use reqwest::{Method, RequestBuilder, StatusCode};
use secrecy::{ExposeSecret, SecretString};
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::error::{HttpError, truncate};
use crate::retry_after::retry_after;

/// The user agent every call carries.
pub const USER_AGENT: &str = concat!("shaq-bridge/", env!("CARGO_PKG_VERSION"));

/// How to reach one upstream.
#[derive(Debug, Clone)]
pub struct UpstreamConfig {
    /// Its name in error messages (`ShaQ`, `Digishare`, `Shopify`…).
    pub service: &'static str,
    /// The base every path is joined to (`https://api.digishare.ma/v1`).
    pub base_url: String,
    /// Per-request timeout (the whole exchange, answer included).
    pub timeout: Duration,
    /// Connect timeout.
    pub connect_timeout: Duration,
    /// Client-side limit on calls per second (`None`: none).
    pub requests_per_second: Option<NonZeroU32>,
    /// Answers larger than this are refused (a label PDF is the largest expected answer).
    pub max_answer_bytes: usize,
    /// Client-side limit on calls in flight at once (`None`: none). Calls beyond it wait for
    /// one to end, before the rate limit.
    pub max_in_flight: Option<NonZeroUsize>,
}

impl UpstreamConfig {
    /// Defaults: 30 s per request, 5 s to connect, no rate limit, answers up to 10 MiB.
    pub fn new(service: &'static str, base_url: impl Into<String>) -> Self {
        UpstreamConfig {
            service,
            base_url: base_url.into(),
            timeout: Duration::from_secs(30),
            connect_timeout: Duration::from_secs(5),
            requests_per_second: None,
            max_answer_bytes: 10 * 1024 * 1024,
            max_in_flight: None,
        }
    }

    /// With these request and connect timeouts.
    pub fn timeouts(mut self, request: Duration, connect: Duration) -> Self {
        self.timeout = request;
        self.connect_timeout = connect;
        self
    }

    /// With a client-side limit on calls per second (`None`: none).
    pub fn rate_limit(mut self, requests_per_second: Option<NonZeroU32>) -> Self {
        self.requests_per_second = requests_per_second;
        self
    }

    /// With a client-side limit on calls in flight at once (`None`: none).
    pub fn in_flight_limit(mut self, max_in_flight: Option<NonZeroUsize>) -> Self {
        self.max_in_flight = max_in_flight;
        self
    }
}

struct Inner {
    http: reqwest::Client,
    config: UpstreamConfig,
    limiter: Option<DefaultDirectRateLimiter>,
    in_flight: Option<tokio::sync::Semaphore>,
}

/// An upstream service. Cheap to clone; share one per service and credential set.
#[derive(Clone)]
pub struct Upstream {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for Upstream {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Upstream")
            .field("service", &self.inner.config.service)
            .field("base_url", &self.inner.config.base_url)
            .finish_non_exhaustive()
    }
}

/// A whole answer with a 2xx status.
#[derive(Debug, Clone)]
pub struct Answer {
    service: &'static str,
    /// Its status (200, 201, 202, 204…).
    pub status: StatusCode,
    /// Its headers (pagination links, totals).
    pub headers: reqwest::header::HeaderMap,
    /// Its body.
    pub body: Vec<u8>,
}

impl Answer {
    /// The body as JSON; an empty body is `null`.
    pub fn json(&self) -> Result<Value, HttpError> {
        if self.body.iter().all(u8::is_ascii_whitespace) {
            return Ok(Value::Null);
        }
        serde_json::from_slice(&self.body).map_err(|e| self.decode_error(e))
    }

    /// The body as `T`.
    pub fn decode<T: DeserializeOwned>(&self) -> Result<T, HttpError> {
        serde_json::from_slice(&self.body).map_err(|e| self.decode_error(e))
    }

    /// A decode error about this answer.
    pub fn decode_error(&self, reason: impl std::fmt::Display) -> HttpError {
        HttpError::decode(
            self.service,
            reason.to_string(),
            &String::from_utf8_lossy(&self.body),
        )
    }
}

impl Upstream {
    /// An upstream; nothing is sent until the first call.
    pub fn new(config: UpstreamConfig) -> Result<Upstream, reqwest::Error> {
        let http = reqwest::Client::builder()
            .user_agent(USER_AGENT)
            .timeout(config.timeout)
            .connect_timeout(config.connect_timeout.min(config.timeout))
            .build()?;
        let limiter = config
            .requests_per_second
            .map(|rps| RateLimiter::direct(Quota::per_second(rps)));
        let in_flight = config
            .max_in_flight
            .map(|max| tokio::sync::Semaphore::new(max.get()));
        Ok(Upstream {
            inner: Arc::new(Inner {
                http,
                config,
                limiter,
                in_flight,
            }),
        })
    }

    /// Its name in messages.
    pub fn service(&self) -> &'static str {
        self.inner.config.service
    }

    /// The base URL joined with `path`; an absolute `http(s)://` URL is taken as it is (a label
    /// link, a callback).
    pub fn url(&self, path: &str) -> String {
        if path.starts_with("http://") || path.starts_with("https://") {
            path.to_owned()
        } else {
            format!("{}{path}", self.inner.config.base_url.trim_end_matches('/'))
        }
    }

    /// A request to `path`, asking for JSON.
    pub fn request(&self, method: Method, path: &str) -> RequestBuilder {
        self.inner
            .http
            .request(method, self.url(path))
            .header(reqwest::header::ACCEPT, "application/json")
    }

    /// A JSON request to `path` with an optional bearer token.
    pub fn json_request(
        &self,
        method: Method,
        path: &str,
        body: Option<&Value>,
        bearer: Option<&SecretString>,
    ) -> RequestBuilder {
        let mut request = self.request(method, path);
        if let Some(token) = bearer {
            request = request.bearer_auth(token.expose_secret());
        }
        if let Some(body) = body {
            request = request.json(body);
        }
        request
    }

    /// Sends `request` (after the rate limit lets it go) and reads the whole answer. `what`
    /// names the call in errors (a path, never a URL). A non-2xx status becomes the matching
    /// [`HttpError`].
    pub async fn send(&self, request: RequestBuilder, what: &str) -> Result<Answer, HttpError> {
        let service = self.service();
        // Held until the whole answer is read. The semaphore is never closed.
        let _in_flight = match &self.inner.in_flight {
            Some(slots) => slots.acquire().await.ok(),
            None => None,
        };
        if let Some(limiter) = &self.inner.limiter {
            limiter.until_ready().await;
        }
        let mut response = request.send().await.map_err(|e| {
            if e.is_connect() {
                HttpError::Connect {
                    service,
                    what: format!("{what}: {}", cause(&e)),
                }
            } else {
                HttpError::NoAnswer {
                    service,
                    what: format!(
                        "{what}: {}",
                        if e.is_timeout() {
                            "timed out"
                        } else {
                            "connection lost"
                        }
                    ),
                }
            }
        })?;
        let status = response.status();
        let headers = response.headers().clone();
        let retry_after = retry_after(response.headers());
        let request_id = response
            .headers()
            .get("x-request-id")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let max = self.inner.config.max_answer_bytes;
        let mut body = Vec::new();
        loop {
            match response.chunk().await {
                Ok(Some(chunk)) => {
                    if body.len() + chunk.len() > max {
                        return Err(HttpError::decode(
                            service,
                            format!("{what}: the answer is larger than {max} bytes"),
                            "",
                        ));
                    }
                    body.extend_from_slice(&chunk);
                }
                Ok(None) => break,
                Err(_) => {
                    return Err(HttpError::NoAnswer {
                        service,
                        what: format!("{what}: the answer was cut off"),
                    });
                }
            }
        }
        if status.is_success() {
            return Ok(Answer {
                service,
                status,
                headers,
                body,
            });
        }
        Err(failure(
            service,
            status,
            &String::from_utf8_lossy(&body),
            retry_after,
            request_id,
            what,
        ))
    }
}

/// Sorts a non-2xx answer.
fn failure(
    service: &'static str,
    status: StatusCode,
    text: &str,
    retry_after: Option<Duration>,
    request_id: Option<String>,
    what: &str,
) -> HttpError {
    match status {
        StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN => HttpError::Auth {
            service,
            status: status.as_u16(),
        },
        StatusCode::NOT_FOUND => HttpError::NotFound {
            service,
            what: what.to_owned(),
        },
        StatusCode::UNPROCESSABLE_ENTITY => {
            let body: Value = serde_json::from_str(text).unwrap_or(Value::Null);
            HttpError::Validation {
                service,
                message: body
                    .get("message")
                    .and_then(Value::as_str)
                    .unwrap_or("validation failed")
                    .to_owned(),
                errors: body
                    .get("errors")
                    .and_then(|e| {
                        serde_json::from_value::<BTreeMap<String, Vec<String>>>(e.clone()).ok()
                    })
                    .unwrap_or_default(),
            }
        }
        StatusCode::TOO_MANY_REQUESTS => HttpError::RateLimited {
            service,
            retry_after,
        },
        StatusCode::REQUEST_TIMEOUT => HttpError::NoAnswer {
            service,
            what: format!("{what}: HTTP 408"),
        },
        s if s.is_server_error() => HttpError::Server {
            service,
            status: s.as_u16(),
            request_id,
            retry_after,
            body: truncate(text),
        },
        s => HttpError::Rejected {
            service,
            status: s.as_u16(),
            body: truncate(text),
        },
    }
}

/// Why a connection failed, in the system's words (`Connection refused (os error 111)`, `failed
/// to lookup address information: …`, `invalid peer certificate: UnknownIssuer`): the innermost
/// cause of `error`. reqwest's own message names the URL, which may carry credentials, so it is
/// never used; a cause that quotes a URL is left out the same way.
fn cause(error: &reqwest::Error) -> String {
    let mut innermost = None;
    let mut source = std::error::Error::source(error);
    while let Some(current) = source {
        let text = current.to_string();
        if !text.contains("://") && !text.trim().is_empty() {
            innermost = Some(text);
        }
        source = current.source();
    }
    innermost.unwrap_or_else(|| "the connection could not be made".to_owned())
}

#[cfg(test)]
mod tests {
    use wiremock::matchers::{header, method, path};
    use wiremock::{Mock, MockServer, ResponseTemplate};

    use super::*;

    fn upstream(server: &MockServer, max_answer_bytes: usize) -> Upstream {
        Upstream::new(UpstreamConfig {
            timeout: Duration::from_millis(500),
            max_answer_bytes,
            ..UpstreamConfig::new("Test", format!("{}/v1", server.uri()))
        })
        .expect("a client")
    }

    #[tokio::test]
    async fn answers_are_sorted_by_status() {
        let server = MockServer::start().await;
        let cases = [
            (
                "/ok",
                ResponseTemplate::new(200).set_body_string("{\"a\":1}"),
            ),
            ("/auth", ResponseTemplate::new(401)),
            ("/missing", ResponseTemplate::new(404)),
            (
                "/invalid",
                ResponseTemplate::new(422)
                    .set_body_string(r#"{"message":"bad","errors":{"phone":["is invalid"]}}"#),
            ),
            (
                "/limited",
                ResponseTemplate::new(429).insert_header("retry-after", "3"),
            ),
            (
                "/broken",
                ResponseTemplate::new(503).insert_header("x-request-id", "req-1"),
            ),
            ("/refused", ResponseTemplate::new(400).set_body_string("no")),
            (
                "/slow",
                ResponseTemplate::new(200).set_delay(Duration::from_secs(2)),
            ),
            (
                "/big",
                ResponseTemplate::new(200).set_body_string("x".repeat(100)),
            ),
        ];
        for (p, response) in cases {
            Mock::given(method("GET"))
                .and(path(format!("/v1{p}")))
                .and(header("user-agent", USER_AGENT))
                .respond_with(response)
                .mount(&server)
                .await;
        }
        let upstream = upstream(&server, 80);
        let call = |p: &'static str| {
            let upstream = upstream.clone();
            async move { upstream.send(upstream.request(Method::GET, p), p).await }
        };
        let ok = call("/ok").await.expect("200");
        assert_eq!(ok.json().expect("json")["a"], 1);
        assert!(call("/auth").await.unwrap_err().is_unauthorized_for_test());
        assert!(matches!(
            call("/missing").await.unwrap_err(),
            HttpError::NotFound { .. }
        ));
        let HttpError::Validation { errors, .. } = call("/invalid").await.unwrap_err() else {
            panic!("422 is a validation error");
        };
        assert_eq!(errors["phone"], ["is invalid"]);
        assert_eq!(
            call("/limited").await.unwrap_err().retry_after(),
            Some(Duration::from_secs(3))
        );
        assert!(matches!(
            call("/broken").await.unwrap_err(),
            HttpError::Server { request_id: Some(id), .. } if id == "req-1"
        ));
        assert!(!call("/refused").await.unwrap_err().is_retryable());
        let slow = call("/slow").await.unwrap_err();
        assert!(slow.outcome_uncertain() && slow.is_retryable());
        assert!(matches!(
            call("/big").await.unwrap_err(),
            HttpError::Decode { .. }
        ));
    }

    /// A server that holds every request until `gate` opens, counting those it holds.
    async fn holding_server(
        gate: tokio::sync::watch::Receiver<bool>,
    ) -> (String, Arc<std::sync::Mutex<(usize, usize, usize)>>) {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        // (held now, most held at once, requests seen)
        let counts = Arc::new(std::sync::Mutex::new((0, 0, 0)));
        let shared = counts.clone();
        tokio::spawn(async move {
            loop {
                let (mut socket, _) = listener.accept().await.unwrap();
                let (counts, mut gate) = (shared.clone(), gate.clone());
                tokio::spawn(async move {
                    let mut request = Vec::new();
                    let mut buffer = [0_u8; 1024];
                    loop {
                        let Ok(n) = socket.read(&mut buffer).await else {
                            return;
                        };
                        if n == 0 {
                            return;
                        }
                        request.extend_from_slice(&buffer[..n]);
                        if !request.windows(4).any(|w| w == b"\r\n\r\n") {
                            continue;
                        }
                        request.clear();
                        {
                            let mut c = counts.lock().unwrap();
                            c.0 += 1;
                            c.1 = c.1.max(c.0);
                            c.2 += 1;
                        }
                        drop(gate.wait_for(|open| *open).await);
                        counts.lock().unwrap().0 -= 1;
                        let answer = "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 2\r\n\r\n{}";
                        if socket.write_all(answer.as_bytes()).await.is_err() {
                            return;
                        }
                    }
                });
            }
        });
        (url, counts)
    }

    #[tokio::test]
    async fn calls_beyond_the_in_flight_limit_wait_for_one_to_end() {
        let (open, gate) = tokio::sync::watch::channel(false);
        let (url, counts) = holding_server(gate).await;
        let upstream =
            Upstream::new(UpstreamConfig::new("Test", url).in_flight_limit(NonZeroUsize::new(2)))
                .expect("a client");
        let calls: Vec<_> = (0..5)
            .map(|i| {
                let upstream = upstream.clone();
                tokio::spawn(async move {
                    let request = upstream.request(Method::GET, &format!("/call/{i}"));
                    upstream.send(request, "call").await
                })
            })
            .collect();
        for _ in 0..250 {
            if counts.lock().unwrap().0 == 2 {
                break;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        // Two are held by the server; the other three must not have been sent meanwhile.
        tokio::time::sleep(Duration::from_millis(200)).await;
        assert_eq!(
            *counts.lock().unwrap(),
            (2, 2, 2),
            "(held, most held, seen)"
        );
        open.send(true).unwrap();
        for call in calls {
            assert_eq!(call.await.unwrap().unwrap().status, StatusCode::OK);
        }
        let (_, most, seen) = *counts.lock().unwrap();
        assert_eq!(
            (most, seen),
            (2, 5),
            "never more than two at once, all five sent"
        );
    }

    #[tokio::test]
    async fn a_refused_connection_says_why_without_the_url() {
        // A port nothing listens on: bind one, then free it.
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map(|a| a.port())
            .expect("a free port");
        let upstream = Upstream::new(UpstreamConfig::new(
            "Test",
            format!("http://user:secret@127.0.0.1:{port}"),
        ))
        .expect("a client");
        let error = upstream
            .send(upstream.request(Method::GET, "/ping"), "/ping")
            .await
            .expect_err("nothing listens");
        let text = error.to_string();
        assert!(matches!(error, HttpError::Connect { .. }), "{text}");
        assert!(text.contains("refused"), "{text}");
        assert!(!text.contains("secret") && !text.contains("://"), "{text}");
    }

    impl HttpError {
        fn is_unauthorized_for_test(&self) -> bool {
            crate::Unauthorized::is_unauthorized(self)
        }
    }
}
