//! One way in: the console, the admin API and the CLI are doors to the same operations. For
//! each action a person can take, each door is used on an order of its own, and the three
//! orders' timelines must say the same thing, naming the same person — on SQLite and on
//! PostgreSQL, with the real binary for the CLI and real HTTP for the other two.

use std::path::Path;
use std::process::Output;
use std::time::Duration;

use bridge_core::domain::OrderKey;
use bridge_core::jobs::{JobState, OrderJob};
use bridge_core::lifecycle::OrderState;
use bridge_core::store::{TimelineKind, TimelineRecord};
use bridge_core::testing::TestBackend;
use bridge_core::workflow::NewJob;
use bridge_sandbox::shops::OrderSpec;
use bridge_sandbox::wait_for;
use bridge_server::sign_in::hash_password;
use reqwest::StatusCode;
use reqwest::header::{COOKIE, SET_COOKIE};
use serde_json::{Value, json};
use tokio::process::Command;

use crate::helpers::SandboxBridge;

const TOKEN: &str = "doors-admin-token-0123456789";
/// Ama's own token for the admin API: what she does through it is recorded under her name.
const AMA_TOKEN: &str = "doors-token-of-ama-0123456789";
const PASSWORD: &str = "three-doors-one-room-2026";
const LIMIT: Duration = Duration::from_secs(60);

/// The three doors.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Door {
    Console,
    Api,
    Cli,
}

const DOORS: [Door; 3] = [Door::Console, Door::Api, Door::Cli];

/// A bridge with an operator `ama` for the console and the admin token for the API; every door
/// acts as `ama`.
struct Doors {
    bridge: SandboxBridge,
    browser: reqwest::Client,
    cookie: String,
    csrf: String,
}

impl Doors {
    async fn open(backend: TestBackend) -> Doors {
        let operators = format!(
            "[console]\n[[console.operators]]\nname = \"ama\"\npassword_hash = \"{}\"\n\
             [[server.api_tokens]]\nname = \"ama\"\ntoken = \"{AMA_TOKEN}\"\n",
            hash_password(PASSWORD).unwrap()
        );
        let bridge = SandboxBridge::start_on(backend, &operators, Some(TOKEN)).await;
        let browser = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap();
        let signed_in = browser
            .post(bridge.url("/console/login"))
            .form(&[
                ("name", "ama"),
                ("password", PASSWORD),
                ("next", "/console"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(signed_in.status(), StatusCode::SEE_OTHER);
        let cookie = signed_in.headers()[SET_COOKIE]
            .to_str()
            .unwrap()
            .split(';')
            .next()
            .unwrap()
            .to_owned();
        let inbox = browser
            .get(bridge.url("/console"))
            .header(COOKIE, &cookie)
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        let start = inbox.find("name=\"csrf\" value=\"").expect("a form") + 19;
        let csrf = inbox[start..start + 32].to_owned();
        Doors {
            bridge,
            browser,
            cookie,
            csrf,
        }
    }

    /// A console form posted as ama; the answer must be a redirect (done).
    async fn console_post(&self, path: &str, fields: &[(&str, String)]) {
        let mut form = vec![("csrf", self.csrf.clone())];
        form.extend(fields.iter().cloned());
        let response = self
            .browser
            .post(self.bridge.url(path))
            .header(COOKIE, &self.cookie)
            .form(&form)
            .send()
            .await
            .unwrap();
        let status = response.status();
        let body = response.text().await.unwrap();
        assert_eq!(status, StatusCode::SEE_OTHER, "{path}: {body}");
    }

    /// An admin API call with ama's token; the answer must be a success.
    async fn api(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> Value {
        let mut request = self
            .browser
            .request(method, self.bridge.url(path))
            .bearer_auth(AMA_TOKEN);
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.unwrap();
        let status = response.status();
        let body: Value = response.json().await.unwrap();
        assert!(status.is_success(), "{path}: {status} {body}");
        body
    }

    /// A command as ama; it must succeed.
    async fn cli(&self, args: &[&str]) -> Output {
        let output = shaq_bridge(&self.bridge.config, args).await;
        assert!(output.status.success(), "{args:?}: {output:?}");
        output
    }

    /// The order's last line of `kind`, once there is one newer than `after` lines.
    async fn line_after(&self, key: &str, kind: TimelineKind, after: usize) -> TimelineRecord {
        let key = OrderKey::new(key);
        wait_for(&format!("a new {kind} line of {key}"), LIMIT, || async {
            let lines = self.bridge.store.timeline(&key).await.ok()?;
            lines
                .into_iter()
                .filter(|line| line.entry.kind == kind)
                .skip(after)
                .last()
        })
        .await
        .unwrap()
    }

    async fn count(&self, key: &str, kind: TimelineKind) -> usize {
        let lines = self
            .bridge
            .store
            .timeline(&OrderKey::new(key))
            .await
            .unwrap();
        lines.iter().filter(|line| line.entry.kind == kind).count()
    }

    async fn place(&self, id: u64, region: &str, city: &str) {
        let spec = OrderSpec {
            id,
            cod: true,
            country: "GH",
            phone: Some("024 412 3456".to_owned()),
            region: Some(region.to_owned()),
        };
        self.bridge.place_woo_order(&spec, city).await;
    }

    async fn close(self) {
        self.bridge.stop().await;
    }
}

async fn shaq_bridge(config: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_shaq-bridge"))
        .arg("--config")
        .arg(config)
        .args(args)
        .output()
        .await
        .unwrap()
}

/// The operator lines the three doors wrote, after an action: each names ama, and they say
/// the same (once `normalise` took out what differs by order, like a job id).
fn assert_same(action: &str, lines: &[(Door, TimelineRecord)], normalise: impl Fn(&str) -> String) {
    for (door, line) in lines {
        assert_eq!(
            line.entry.details["operator"], "ama",
            "{action} through {door:?} names the person: {line:?}"
        );
    }
    let said: Vec<String> = lines
        .iter()
        .map(|(_, line)| normalise(&line.entry.summary))
        .collect();
    assert!(
        said.windows(2).all(|pair| pair[0] == pair[1]),
        "{action}: the three doors wrote different lines: {said:?}"
    );
}

/// The console's fix form as a person submits it: every field, the region changed.
async fn fix_form(doors: &Doors, key: &str, region: &str) -> Vec<(&'static str, String)> {
    let order = doors
        .bridge
        .store
        .order(&OrderKey::new(key))
        .await
        .unwrap()
        .unwrap();
    let shop_order = order.order();
    vec![
        ("region", region.to_owned()),
        ("line1", shop_order.address.line1.clone()),
        (
            "line2",
            shop_order.address.line2.clone().unwrap_or_default(),
        ),
        ("city", shop_order.address.city.clone()),
        (
            "phone",
            shop_order
                .recipient
                .phone
                .as_ref()
                .map(|p| p.expose().to_owned())
                .unwrap_or_default(),
        ),
        ("amount", order.collect().amount.to_string()),
    ]
}

/// Correct, resume, replay and cancel: the same operator line from each door.
async fn order_requests_are_the_same_through_every_door(backend: TestBackend) {
    let doors = Doors::open(backend).await;
    let ids = [(Door::Console, 1101), (Door::Api, 1102), (Door::Cli, 1103)];
    for (_, id) in ids {
        doors.place(id, "Atlantis", "Xyzzy").await;
    }
    for (_, id) in ids {
        doors
            .bridge
            .wait_for_state(&format!("atlas/{id}"), OrderState::NeedsAttention)
            .await;
    }

    // Correct the region.
    let mut lines = Vec::new();
    for (door, id) in ids {
        let key = format!("atlas/{id}");
        let before = doors.count(&key, TimelineKind::Operator).await;
        match door {
            Door::Console => {
                let form = fix_form(&doors, &key, "Ashanti").await;
                doors
                    .console_post(&format!("/console/orders/atlas/{id}/correct"), &form)
                    .await;
            }
            Door::Api => {
                doors
                    .api(
                        reqwest::Method::PATCH,
                        &format!("/api/orders/atlas/{id}"),
                        Some(json!({ "region": "Ashanti" })),
                    )
                    .await;
            }
            Door::Cli => {
                doors
                    .cli(&[
                        "orders",
                        "correct",
                        "atlas",
                        &id.to_string(),
                        "--region",
                        "Ashanti",
                        "--as",
                        "ama",
                    ])
                    .await;
            }
        }
        lines.push((
            door,
            doors.line_after(&key, TimelineKind::Operator, before).await,
        ));
    }
    assert_same("correct", &lines, str::to_owned);

    // Resume, replay, cancel.
    for (action, api_path, cli_command) in [
        ("resume", "resume", "resume"),
        ("replay", "replay", "replay"),
        ("cancel", "cancel", "cancel"),
    ] {
        let mut lines = Vec::new();
        for (door, id) in ids {
            let key = format!("atlas/{id}");
            let before = doors.count(&key, TimelineKind::Operator).await;
            match door {
                Door::Console => {
                    let fields = if action == "cancel" {
                        vec![("confirm", "yes".to_owned())]
                    } else {
                        Vec::new()
                    };
                    doors
                        .console_post(&format!("/console/orders/atlas/{id}/{action}"), &fields)
                        .await;
                }
                Door::Api => {
                    doors
                        .api(
                            reqwest::Method::POST,
                            &format!("/api/orders/atlas/{id}/{api_path}"),
                            None,
                        )
                        .await;
                }
                Door::Cli => {
                    doors
                        .cli(&[
                            "orders",
                            cli_command,
                            "atlas",
                            &id.to_string(),
                            "--as",
                            "ama",
                        ])
                        .await;
                }
            }
            lines.push((
                door,
                doors.line_after(&key, TimelineKind::Operator, before).await,
            ));
            if action == "resume" {
                doors
                    .bridge
                    .wait_for_state(&key, OrderState::Shipping)
                    .await;
            }
        }
        // A replay names the order's own webhook: its id differs, nothing else may.
        assert_same(action, &lines, without_numbers);
    }
    doors.close().await;
}

/// A line without its numbers (a job's or a webhook's id).
fn without_numbers(summary: &str) -> String {
    summary
        .split_whitespace()
        .filter(|word| !word.chars().all(|c| c.is_ascii_digit()))
        .collect::<Vec<_>>()
        .join(" ")
}

/// Retrying a dead job, and every dead job: on the job's order's timeline, naming the person,
/// whichever door (the console retries one job at a time).
async fn retries_are_on_the_timeline_through_every_door(backend: TestBackend) {
    let doors = Doors::open(backend).await;
    // Jobs of orders the bridge never stored die at once.
    let bury = |name: &str| {
        let key = format!("atlas/ghost-{name}");
        NewJob::for_tests(OrderJob::Reconcile, &key, &format!("reconcile:{key}"))
    };
    let ghosts = ["console", "api", "cli"];
    let jobs: Vec<NewJob> = ghosts.iter().map(|name| bury(name)).collect();
    doors
        .bridge
        .store
        .enqueue(&jobs, chrono::Utc::now())
        .await
        .unwrap();
    let dead_id = |key: String| {
        let store = doors.bridge.store.clone();
        async move {
            wait_for(&format!("{key}'s job to die"), LIMIT, || async {
                let job = store.job_by_key(&format!("reconcile:{key}")).await.ok()??;
                (job.state == JobState::Dead).then_some(job.id)
            })
            .await
            .unwrap()
        }
    };
    let mut lines = Vec::new();
    for (door, name) in DOORS.into_iter().zip(ghosts) {
        let key = format!("atlas/ghost-{name}");
        let id = dead_id(key.clone()).await;
        let before = doors.count(&key, TimelineKind::Operator).await;
        match door {
            Door::Console => {
                doors
                    .console_post(
                        &format!("/console/jobs/{id}/retry"),
                        &[("back", "/console".to_owned())],
                    )
                    .await;
            }
            Door::Api => {
                let answer = doors
                    .api(
                        reqwest::Method::POST,
                        &format!("/api/jobs/{id}/retry"),
                        None,
                    )
                    .await;
                assert_eq!(answer["job"], id);
            }
            Door::Cli => {
                doors
                    .cli(&["jobs", "retry", &id.to_string(), "--as", "ama"])
                    .await;
            }
        }
        let line = doors.line_after(&key, TimelineKind::Operator, before).await;
        assert_eq!(
            line.entry.summary,
            format!("reconcile job {id} retried by ama"),
            "{door:?}"
        );
        lines.push((door, line));
    }
    assert_same("retry a dead job", &lines, without_numbers);

    // Every dead job at once: the admin API and the CLI (the console retries one at a time).
    for door in [Door::Api, Door::Cli] {
        for name in ghosts {
            dead_id(format!("atlas/ghost-{name}")).await;
        }
        let before: Vec<usize> =
            futures::future::join_all(ghosts.iter().map(|name| {
                doors.count_owned(format!("atlas/ghost-{name}"), TimelineKind::Operator)
            }))
            .await;
        match door {
            Door::Api => {
                // Every dead job at once is the admin's: ama's operator token may not.
                let refused = doors
                    .browser
                    .post(doors.bridge.url("/api/jobs/retry-dead"))
                    .bearer_auth(AMA_TOKEN)
                    .send()
                    .await
                    .unwrap();
                assert_eq!(refused.status(), StatusCode::FORBIDDEN);
                let answer: Value = doors
                    .browser
                    .post(doors.bridge.url("/api/jobs/retry-dead"))
                    .bearer_auth(TOKEN)
                    .send()
                    .await
                    .unwrap()
                    .json()
                    .await
                    .unwrap();
                assert_eq!(answer["revived"], 3);
            }
            _ => {
                let output = doors.cli(&["jobs", "retry-all-dead", "--as", "ama"]).await;
                assert!(
                    String::from_utf8_lossy(&output.stdout).contains("3 dead job(s)"),
                    "{output:?}"
                );
            }
        }
        for (name, before) in ghosts.iter().zip(before) {
            let key = format!("atlas/ghost-{name}");
            let line = doors.line_after(&key, TimelineKind::Operator, before).await;
            // The admin token acts as `admin`: the line names the credential's holder.
            let by = if door == Door::Api { "admin" } else { "ama" };
            assert!(
                line.entry.summary.ends_with(&format!("retried by {by}")),
                "{door:?}: {line:?}"
            );
        }
    }
    doors.close().await;
}

impl Doors {
    async fn count_owned(&self, key: String, kind: TimelineKind) -> usize {
        self.count(&key, kind).await
    }
}

/// A handover asked through each door names the person on the shipment, and each order's
/// timeline says the same.
async fn handovers_are_the_same_through_every_door(backend: TestBackend) {
    let doors = Doors::open(backend).await;
    let mut lines = Vec::new();
    for (door, id) in DOORS.into_iter().zip([1201, 1202, 1203]) {
        doors.place(id, "Ashanti", "Kumasi").await;
        let key = format!("atlas/{id}");
        wait_for("the package", LIMIT, || async {
            let order = doors
                .bridge
                .store
                .order(&OrderKey::new(&key))
                .await
                .ok()??;
            order.tracking_number().map(|_| ())
        })
        .await
        .unwrap();
        let before = doors.count(&key, TimelineKind::Call).await;
        match door {
            Door::Console => doors.console_post("/console/handover/atlas", &[]).await,
            Door::Api => {
                let answer = doors
                    .api(reqwest::Method::POST, "/api/shops/atlas/handover", None)
                    .await;
                assert_eq!(answer["shipment"]["packages"], 1, "{answer}");
            }
            Door::Cli => {
                let out = tempfile::tempdir().unwrap();
                let pdf = out.path().join("handover.pdf");
                doors
                    .cli(&[
                        "handover",
                        "--shop",
                        "atlas",
                        "--as",
                        "ama",
                        "--out",
                        pdf.to_str().unwrap(),
                    ])
                    .await;
            }
        }
        let line = wait_for("the handover line", LIMIT, || async {
            let lines = doors
                .bridge
                .store
                .timeline(&OrderKey::new(&key))
                .await
                .ok()?;
            lines
                .into_iter()
                .filter(|line| line.entry.kind == TimelineKind::Call)
                .skip(before)
                .find(|line| line.entry.summary.starts_with("handed over to ShaQ"))
        })
        .await
        .unwrap();
        lines.push((door, line));
    }
    let shipments = doors.bridge.store.shipments(None, 10).await.unwrap();
    assert_eq!(shipments.len(), 3);
    assert!(
        shipments.iter().all(|s| s.requested_by == "ama"),
        "{shipments:?}"
    );
    let said: Vec<String> = lines
        .iter()
        .map(|(_, line)| {
            let summary = &line.entry.summary;
            // The shipment's reference differs: what is said around it must not.
            let start = summary.find("shipment ").unwrap() + 9;
            let end = summary[start..].find(' ').unwrap() + start;
            format!("{}{}", &summary[..start], &summary[end..])
        })
        .collect();
    assert!(said.windows(2).all(|pair| pair[0] == pair[1]), "{said:?}");
    doors.close().await;
}

/// A return booked through each door: the same operator line.
async fn returns_are_the_same_through_every_door(backend: TestBackend) {
    let doors = Doors::open(backend).await;
    let ids = [(Door::Console, 1301), (Door::Api, 1302), (Door::Cli, 1303)];
    for (_, id) in ids {
        doors.place(id, "Ashanti", "Kumasi").await;
    }
    for (_, id) in ids {
        let reference = format!("atlas-{id}");
        wait_for("the package", LIMIT, || async {
            doors.bridge.sandbox.shaq.package(&reference)
        })
        .await
        .unwrap();
        doors
            .bridge
            .wait_for_state(&format!("atlas/{id}"), OrderState::Shipping)
            .await;
        doors
            .bridge
            .sandbox
            .shaq
            .advance(&reference, "delivered")
            .unwrap();
        doors
            .bridge
            .wait_for_state(&format!("atlas/{id}"), OrderState::Delivered)
            .await;
    }
    let mut lines = Vec::new();
    for (door, id) in ids {
        let key = format!("atlas/{id}");
        let before = doors.count(&key, TimelineKind::Operator).await;
        match door {
            Door::Console => {
                doors
                    .console_post(&format!("/console/orders/atlas/{id}/return"), &[])
                    .await;
            }
            Door::Api => {
                doors
                    .api(
                        reqwest::Method::POST,
                        &format!("/api/orders/atlas/{id}/after-sale"),
                        Some(json!({ "kind": "return" })),
                    )
                    .await;
            }
            Door::Cli => {
                doors
                    .cli(&[
                        "orders",
                        "after-sale",
                        "atlas",
                        &id.to_string(),
                        "--kind",
                        "return",
                        "--as",
                        "ama",
                    ])
                    .await;
            }
        }
        lines.push((
            door,
            doors.line_after(&key, TimelineKind::Operator, before).await,
        ));
    }
    assert_same("return", &lines, str::to_owned);
    doors.close().await;
}

macro_rules! on_both_backends {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    super::$name(super::TestBackend::Sqlite).await;
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                #[cfg_attr(not(postgres_tests), ignore = "PostgreSQL suite not run: set BRIDGE_TEST_POSTGRES_URL")]
                async fn $name() {
                    super::$name(super::TestBackend::Postgres).await;
                }
            )*
        }
    };
}

on_both_backends!(
    order_requests_are_the_same_through_every_door,
    retries_are_on_the_timeline_through_every_door,
    handovers_are_the_same_through_every_door,
    returns_are_the_same_through_every_door,
);
