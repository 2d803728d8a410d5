//! The Health page: the queue per state and kind, orders per state, when each source last
//! sent a webhook (a silent shop is flagged), and whether the database takes writes.

use bridge_core::jobs::JobState;
use bridge_core::lifecycle::OrderState;

use askama::Template;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use chrono::Utc;

use crate::state::AppState;

use super::chrome::{Chrome, chrome, html, signed_in, storage_down};
use super::views::{ago, job_label, state_label, when};
use super::words::t;

#[derive(Template)]
#[template(path = "console/health.html")]
struct HealthPage {
    chrome: Chrome,
    jobs: Vec<(String, i64)>,
    outcomes: Vec<(String, i64, i64, i64)>,
    /// Each state's stored name, its name for people, and how many orders are in it.
    orders: Vec<(&'static str, String, u64)>,
    sources: Vec<SourceLine>,
    silent_hint: String,
    version: &'static str,
    backend: String,
    writable: bool,
}

pub struct SourceLine {
    pub source: String,
    pub last: String,
    pub ago: String,
    pub silent: bool,
}

pub async fn health(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let session = match signed_in(&state, &headers, "/console/health").await {
        Ok(session) => session,
        Err(response) => return response,
    };
    let now = Utc::now();
    let (counts, orders, last) = match (
        state.store.job_counts().await,
        state.store.order_counts().await,
        state.store.last_webhook_per_source().await,
    ) {
        (Ok(c), Ok(o), Ok(l)) => (c, o, l),
        (Err(e), _, _) | (_, Err(e), _) | (_, _, Err(e)) => return storage_down(&e),
    };
    let outcomes = match state.store.job_counts_by_kind().await {
        Ok(by_kind) => by_kind
            .into_iter()
            .map(|(kind, c)| {
                (
                    job_label(kind.as_str()),
                    c.get(JobState::Queued) + c.get(JobState::Running),
                    c.get(JobState::Done),
                    c.get(JobState::Dead),
                )
            })
            .collect(),
        Err(e) => return storage_down(&e),
    };
    let silent_after = state.settings.alerts.silent_shop_after;
    let silent_limit = chrono::Duration::from_std(silent_after).unwrap_or(chrono::Duration::MAX);
    let mut sources: Vec<SourceLine> = last
        .iter()
        .map(|(source, at)| SourceLine {
            source: source.clone(),
            last: when(*at),
            ago: ago(*at, now),
            silent: source.starts_with("shop:") && now - *at > silent_limit,
        })
        .collect();
    for shop in &state.settings.shops {
        let source = format!("shop:{}", shop.id);
        if !sources.iter().any(|s| s.source == source) {
            sources.push(SourceLine {
                source,
                last: t("health-never"),
                ago: String::new(),
                silent: true,
            });
        }
    }
    html(
        StatusCode::OK,
        &HealthPage {
            chrome: chrome(&session, "health"),
            outcomes,
            jobs: JobState::ALL
                .iter()
                .map(|s| (t(&format!("job-state-{}", s.as_str())), counts.get(*s)))
                .collect(),
            orders: OrderState::ALL
                .iter()
                .map(|s| {
                    (
                        s.as_str(),
                        state_label(*s),
                        orders
                            .iter()
                            .find(|(state, _)| state == s)
                            .map_or(0, |(_, n)| *n),
                    )
                })
                .collect(),
            sources,
            silent_hint: super::words::t_with(
                "health-silent-hint",
                &[("after", super::views::duration_words(silent_after).into())],
            ),
            version: env!("CARGO_PKG_VERSION"),
            backend: format!("{:?}", state.store.backend()).to_lowercase(),
            writable: state
                .store
                .writable(state.settings.server.readyz_write_timeout)
                .await
                .is_ok(),
        },
    )
}
