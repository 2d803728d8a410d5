//! `shaq-bridge sandbox --bridge-url` and `shaq-bridge serve` as two processes, talking over
//! real HTTP: one order driven from the shop through confirmation and delivery with HTTP calls
//! only, as a merchant trying the bridge without accounts would (docs/operations.md).

use std::path::Path;
use std::process::Stdio;
use std::time::Duration;

use bridge_sandbox::bridge_config::SANDBOX_ADMIN_TOKEN;
use bridge_sandbox::ports::free_listen_port;
use bridge_sandbox::wait_for;
use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt as _, BufReader};
use tokio::process::{Child, Command};

const LIMIT: Duration = Duration::from_secs(30);

fn shaq_bridge(dir: &Path, args: &[&str]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_shaq-bridge"));
    command
        .current_dir(dir)
        .args(args)
        .env_remove("SHAQ_BRIDGE_CONFIG")
        .kill_on_drop(true);
    command
}

/// Reads the sandbox's banner until the settings file is written; the simulators' URLs and the
/// banner itself.
async fn simulator_urls(sandbox: &mut Child) -> (String, String, String, String) {
    let mut lines = BufReader::new(sandbox.stdout.take().unwrap()).lines();
    let (mut shaq, mut digishare, mut shop) = (None, None, None);
    let mut banner = String::new();
    // The API's address is the line's last word; the control routes sit at its root.
    let url_in = |line: &str| {
        let url = reqwest::Url::parse(line.split_whitespace().last()?).ok()?;
        Some(url.origin().ascii_serialization())
    };
    while let Some(line) = tokio::time::timeout(LIMIT, lines.next_line())
        .await
        .expect("the sandbox's banner")
        .unwrap()
    {
        banner.push_str(&line);
        banner.push('\n');
        if line.starts_with("ShaQ simulator") {
            shaq = url_in(&line);
        } else if line.starts_with("Digishare simulator") {
            digishare = url_in(&line);
        } else if line.starts_with("Shop admin APIs") {
            shop = url_in(&line);
        } else if line.starts_with("Bridge settings written") {
            break;
        }
    }
    // Keep reading so the sandbox never blocks on a full pipe.
    tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
    (shaq.unwrap(), digishare.unwrap(), shop.unwrap(), banner)
}

/// An order as the admin API shows it (`GET /api/orders/{shop}/{id}` with the sandbox's admin
/// token), `None` while it does not answer with JSON.
async fn admin_order(http: &reqwest::Client, bridge: &str, key: &str) -> Option<Value> {
    http.get(format!("{bridge}/api/orders/{key}"))
        .bearer_auth(SANDBOX_ADMIN_TOKEN)
        .send()
        .await
        .ok()?
        .json()
        .await
        .ok()
}

/// `GET url` as JSON, `None` while it does not answer with JSON.
async fn get_json(http: &reqwest::Client, url: String) -> Option<Value> {
    http.get(url).send().await.ok()?.json().await.ok()
}

#[tokio::test]
async fn sandbox_and_serve_as_two_processes_carry_an_order_to_delivery() {
    let dir = tempfile::tempdir().unwrap();
    let bridge = format!("http://127.0.0.1:{}", free_listen_port());
    let settings = dir.path().join("sandbox.toml");
    let mut sandbox = shaq_bridge(
        dir.path(),
        &[
            "sandbox",
            "--bridge-url",
            &bridge,
            "--write-bridge-config",
            settings.to_str().unwrap(),
        ],
    )
    .stdout(Stdio::piped())
    .stderr(Stdio::null())
    .spawn()
    .unwrap();
    let (shaq, digishare, shop, banner) = simulator_urls(&mut sandbox).await;
    // The banner leads to the console, with the sign-in it configured.
    assert!(banner.contains(&format!("{bridge}/console")), "{banner}");
    assert!(
        banner.contains(&format!(
            "sign in as `admin`, password `{SANDBOX_ADMIN_TOKEN}`"
        )),
        "{banner}"
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = std::fs::metadata(&settings).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "the settings hold secrets");
    }
    let mut _serve = shaq_bridge(
        dir.path(),
        &["serve", "--config", settings.to_str().unwrap()],
    )
    // Info logs into a pipe, as into a log file: plain text.
    .env("RUST_LOG", "info")
    .stdout(Stdio::piped())
    .stderr(Stdio::piped())
    .spawn()
    .unwrap();
    let logged = std::sync::Arc::new(std::sync::Mutex::new(String::new()));
    let mut log_lines = BufReader::new(_serve.stdout.take().unwrap()).lines();
    let collected = logged.clone();
    tokio::spawn(async move {
        while let Ok(Some(line)) = log_lines.next_line().await {
            collected.lock().unwrap().push_str(&line);
        }
    });
    // `serve` says where it is on its first line, whatever the log level (warn here).
    let mut errors = BufReader::new(_serve.stderr.take().unwrap()).lines();
    let first = tokio::time::timeout(LIMIT, errors.next_line())
        .await
        .expect("serve's first line")
        .unwrap()
        .unwrap_or_default();
    assert!(
        first.contains(&format!("console {bridge}/console")) && first.contains("database sqlite:"),
        "{first}"
    );
    tokio::spawn(async move { while let Ok(Some(_)) = errors.next_line().await {} });
    let http = reqwest::Client::new();
    wait_for("the bridge to be ready", LIMIT, || async {
        let ready = http.get(format!("{bridge}/readyz")).send().await.ok()?;
        ready.status().is_success().then_some(())
    })
    .await
    .unwrap();

    // A customer orders in the simulated Shopify shop; its signed webhook reaches the bridge.
    let placed: Value = http
        .post(format!("{shop}/_sandbox/orders"))
        .json(&json!({ "id": 4242, "phone": "024 412 3456" }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(placed["bridge_status"], 200, "{placed}");
    assert_eq!(placed["order_id"], "4242");

    // Digishare got a ticket awaiting the customer's confirmation; the customer confirms.
    let ticket = wait_for("the ticket", LIMIT, || async {
        let tickets = get_json(&http, format!("{digishare}/_sandbox/tickets")).await?;
        tickets.as_array()?.first().cloned()
    })
    .await
    .unwrap();
    let ticket_id = ticket["id"].as_str().unwrap();
    let answered = http
        .post(format!("{digishare}/_sandbox/tickets/{ticket_id}/answer"))
        .json(&json!({ "answer": "confirm" }))
        .send()
        .await
        .unwrap();
    assert_eq!(answered.status(), 200);

    // The bridge ships: ShaQ has the package; the courier delivers it.
    let partner_ref = wait_for("the package", LIMIT, || async {
        let packages = get_json(&http, format!("{shaq}/_sandbox/packages")).await?;
        packages.as_array()?.first()?["request"]["partner_ref"]
            .as_str()
            .map(str::to_owned)
    })
    .await
    .unwrap();
    for status in ["picked_up", "delivered"] {
        let moved = http
            .post(format!("{shaq}/_sandbox/packages/{partner_ref}/status"))
            .json(&json!({ "status": status }))
            .send()
            .await
            .unwrap();
        assert_eq!(moved.status(), 200, "{status}");
    }

    // The bridge saw it all: the order is delivered, and the shop was told.
    let order = wait_for("the order delivered", LIMIT, || async {
        let shown = admin_order(&http, &bridge, "kente/4242").await?;
        (shown["order"]["state"] == "delivered").then_some(shown)
    })
    .await
    .unwrap();
    assert!(
        order["order"]["tracking_number"].is_string() || order["order"]["package"].is_object(),
        "{order}"
    );
    let received: Value = wait_for("the shop's write-backs", LIMIT, || async {
        let received = get_json(&http, format!("{shop}/_sandbox/received")).await?;
        (received.as_array()?.len() >= 2).then_some(received)
    })
    .await
    .unwrap();
    assert!(
        received
            .as_array()
            .unwrap()
            .iter()
            .all(|record| record["order_id"]
                .as_str()
                .is_none_or(|id| id.contains("4242"))),
        "{received}"
    );
    // The address alone leads to the console, where the sandbox's sign-in works.
    let no_redirects = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let root = no_redirects.get(format!("{bridge}/")).send().await.unwrap();
    assert!(root.status().is_redirection(), "{}", root.status());
    assert_eq!(root.headers()["location"], "/console");
    let signed = no_redirects
        .post(format!("{bridge}/console/login"))
        .form(&[("name", "admin"), ("password", SANDBOX_ADMIN_TOKEN)])
        .send()
        .await
        .unwrap();
    assert_eq!(signed.status(), 303);

    // The stuck order docs/console.md describes, made from the sandbox: a city and region
    // nobody knows, an address without a GPS code.
    let stuck: Value = http
        .post(format!("{shop}/_sandbox/orders"))
        .json(
            &json!({ "id": 4343, "city": "Xyzzyville", "region": "Nowhere",
                        "address": "Behind the market", "payment": "cod", "language": "fr" }),
        )
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(stuck["bridge_status"], 200, "{stuck}");
    let shown = wait_for("the order waiting for a person", LIMIT, || async {
        let shown = admin_order(&http, &bridge, "kente/4343").await?;
        (shown["order"]["state"] == "needs_attention").then_some(shown)
    })
    .await
    .unwrap();
    assert!(shown.to_string().contains("Nowhere"), "{shown}");
    let refused = http
        .post(format!("{shop}/_sandbox/orders"))
        .json(&json!({ "payment": "cheque" }))
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 422);
    let refused: Value = refused.json().await.unwrap();
    assert_eq!(refused["field"], "payment");

    let logs = logged.lock().unwrap().clone();
    assert!(logs.contains("INFO"), "info logs were written: {logs}");
    assert!(
        !logs.contains('\u{1b}'),
        "no colour codes in a log that is not a terminal"
    );

    let messages = get_json(&http, format!("{digishare}/_sandbox/messages"))
        .await
        .unwrap();
    assert!(
        messages.as_array().unwrap().len() >= 3,
        "the customer heard of each step: {messages}"
    );
}

/// A merchant who points `config/example.toml` at the sandbox gets working tickets: its status
/// ids are the simulator's.
#[test]
fn the_example_settings_use_the_sandboxs_ticket_statuses() {
    let example: toml::Value = toml::from_str(
        &std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../config/example.toml"
        ))
        .unwrap(),
    )
    .unwrap();
    let configured = example["digishare"]["statuses"].as_table().unwrap();
    let simulated = bridge_sandbox::digishare::DigishareSimConfig::default().statuses;
    assert_eq!(configured.len(), simulated.len());
    for (key, id) in &simulated {
        assert_eq!(configured[key].as_str(), Some(id.as_str()), "{key}");
    }
    assert_eq!(
        example["digishare"]["type_ticket_id"].as_str(),
        bridge_sandbox::digishare::DigishareSimConfig::default()
            .ticket_types
            .first()
            .map(String::as_str)
    );
}
