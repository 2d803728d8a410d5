//! Every request a simulator receives, kept for tests and the demo to inspect.

use std::sync::{Arc, Mutex};

use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::Response;
use chrono::{DateTime, Utc};
use serde::Serialize;

/// One received request.
#[derive(Debug, Clone, Serialize)]
pub struct RecordedRequest {
    /// When.
    pub at: DateTime<Utc>,
    /// Method.
    pub method: String,
    /// Path and query.
    pub path: String,
    /// The body as text (lossy).
    pub body: String,
}

/// A shared log of requests.
#[derive(Debug, Clone, Default)]
pub struct Recorder(Arc<Mutex<Vec<RecordedRequest>>>);

impl Recorder {
    /// Everything recorded so far.
    pub fn all(&self) -> Vec<RecordedRequest> {
        self.0.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// Requests whose method and path start as given.
    pub fn matching(&self, method: &str, path_prefix: &str) -> Vec<RecordedRequest> {
        self.all()
            .into_iter()
            .filter(|r| r.method == method && r.path.starts_with(path_prefix))
            .collect()
    }

    fn push(&self, request: RecordedRequest) {
        self.0
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(request);
    }
}

/// Middleware that records each request (the body is read and put back).
pub async fn record(State(recorder): State<Recorder>, request: Request, next: Next) -> Response {
    let (parts, body) = request.into_parts();
    let bytes = axum::body::to_bytes(body, 16 * 1024 * 1024)
        .await
        .unwrap_or_else(|_| Bytes::new());
    if !parts.uri.path().starts_with("/_sandbox") {
        recorder.push(RecordedRequest {
            at: Utc::now(),
            method: parts.method.to_string(),
            path: parts
                .uri
                .path_and_query()
                .map_or_else(|| parts.uri.path().to_owned(), |p| p.to_string()),
            body: String::from_utf8_lossy(&bytes).into_owned(),
        });
    }
    next.run(Request::from_parts(parts, Body::from(bytes)))
        .await
}
