//! The `shaq-bridge orders …` commands, run as the real binary against the database of a
//! running bridge (SQLite file shared by the two processes).

use std::path::Path;
use std::process::{Output, Stdio};
use std::time::Duration;

use bridge_core::domain::OrderKey;
use bridge_core::lifecycle::OrderState;
use bridge_sandbox::bridge_config::{BridgeConfig, Shop};
use bridge_sandbox::shops::{OrderSpec, WooSender, woocommerce_order};
use bridge_sandbox::wait_for;

use crate::helpers::{SandboxBridge, WOO_SECRET};
use serde_json::Value;
use tokio::process::Command;

const LIMIT: Duration = Duration::from_secs(60);

async fn shaq_bridge(config: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_shaq-bridge"))
        .arg("--config")
        .arg(config)
        .args(args)
        .output()
        .await
        .unwrap()
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

#[tokio::test]
async fn reading_commands_refuse_to_create_an_empty_database() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("elsewhere/bridge.db");
    let config = dir.path().join("bridge.toml");
    let toml = format!(
        "{}\n",
        BridgeConfig::with_upstreams(
            "http://127.0.0.1:9/api/v1",
            "http://127.0.0.1:9/v1",
            [
                "awaiting_confirmation",
                "received",
                "confirmed",
                "cancelled"
            ]
            .map(|key| (key.to_owned(), format!("status-{key}")))
            .to_vec(),
            &format!("sqlite://{}", missing.display()),
        )
        .shop(Shop::woocommerce("atlas", WOO_SECRET))
        .to_toml()
    );
    std::fs::write(&config, toml).unwrap();
    for args in [
        &["orders", "list"][..],
        &["jobs", "list"],
        &["orders", "show", "atlas", "#1"],
    ] {
        let output = shaq_bridge(&config, args).await;
        assert!(!output.status.success(), "{args:?} must fail");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains("no database at"), "{args:?}: {stderr}");
    }
    assert!(!missing.exists(), "no empty database was created");
}

async fn running_bridge() -> SandboxBridge {
    SandboxBridge::start("").await
}

#[tokio::test]
async fn a_stuck_order_is_found_by_its_name_and_fixed_from_the_command_line() {
    let bridge = running_bridge().await;
    let spec = OrderSpec {
        id: 1047,
        cod: true,
        country: "GH",
        phone: Some("024 412 3456".to_owned()),
        region: Some("Atlantis".to_owned()),
    };
    let mut order = woocommerce_order(&spec);
    order["billing"]["city"] = Value::from("Xyzzy");
    order["shipping"]["city"] = Value::from("Xyzzy");
    let sent = WooSender::new("https://atlas.example/", WOO_SECRET)
        .send(
            &format!("{}/webhooks/shops/atlas", bridge.bridge),
            "order.created",
            &order,
        )
        .await;
    assert_eq!(sent.status, 200);
    let key = OrderKey::new("atlas/1047");
    wait_for("needs attention", LIMIT, || async {
        let stored = bridge.store.order(&key).await.ok().flatten()?;
        (stored.state() == OrderState::NeedsAttention).then_some(())
    })
    .await
    .unwrap();

    let shown = shaq_bridge(&bridge.config, &["orders", "show", "atlas", "#1047"]).await;
    assert!(shown.status.success(), "{shown:?}");
    let text = stdout(&shown);
    assert!(text.contains("state     needs_attention"), "{text}");
    assert!(
        text.contains("attention region `Atlantis` is not one of ShaQ's regions"),
        "{text}"
    );

    let table = stdout(&shaq_bridge(&bridge.config, &["orders", "list", "-q", "0244123456"]).await);
    let mut lines = table.lines();
    assert!(
        lines.next().unwrap().starts_with("order "),
        "a header row: {table}"
    );
    let row = lines.next().unwrap();
    assert!(
        row.starts_with("atlas/1047") && !row.contains("0244123456") && !row.contains("244123456"),
        "{row}"
    );
    assert!(table.contains("(1 of 1 order(s))"), "{table}");
    // The key the list prints is what `show` takes.
    let by_key = shaq_bridge(&bridge.config, &["orders", "show", "atlas/1047"]).await;
    assert!(by_key.status.success(), "{by_key:?}");
    assert_eq!(stdout(&by_key), text);
    let neither = shaq_bridge(&bridge.config, &["orders", "show", "atlas"]).await;
    assert!(!neither.status.success());
    assert!(String::from_utf8_lossy(&neither.stderr).contains("which order?"));

    let csv = stdout(
        &shaq_bridge(
            &bridge.config,
            &["orders", "list", "--csv", "--state", "needs_attention"],
        )
        .await,
    );
    let mut reader = csv::Reader::from_reader(csv.as_bytes());
    assert_eq!(reader.headers().unwrap().get(2), Some("order_name"));
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 1);
    assert_eq!(
        &rows[0][7], "+233244123456",
        "the export has the phone in full"
    );

    let json: Value = serde_json::from_str(&stdout(
        &shaq_bridge(
            &bridge.config,
            &["orders", "list", "--json", "--shop", "atlas"],
        )
        .await,
    ))
    .unwrap();
    assert_eq!(json["total"], 1);

    // A reader that goes away (`| head`) is not a crash.
    let mut child = Command::new(env!("CARGO_BIN_EXE_shaq-bridge"))
        .arg("--config")
        .arg(&bridge.config)
        .args(["orders", "list"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let closed = child.wait_with_output().await.unwrap();
    assert!(closed.status.success(), "{closed:?}");
    assert!(!String::from_utf8_lossy(&closed.stderr).contains("panicked"));

    let refused = shaq_bridge(
        &bridge.config,
        &[
            "orders", "correct", "atlas", "#1047", "--region", "Atlantis",
        ],
    )
    .await;
    assert!(!refused.status.success());
    assert!(
        String::from_utf8_lossy(&refused.stderr).contains("--region"),
        "{refused:?}"
    );

    let corrected = shaq_bridge(
        &bridge.config,
        &[
            "orders", "correct", "atlas", "#1047", "--region", "Ashanti", "--city", "Kumasi",
            "--as", "kofi",
        ],
    )
    .await;
    assert!(corrected.status.success(), "{corrected:?}");
    assert_eq!(
        stdout(&corrected),
        "atlas/1047: corrected by kofi: region → Ashanti, city → Kumasi\n"
    );
    let resumed = shaq_bridge(
        &bridge.config,
        &["orders", "resume", "atlas", "1047", "--as", "kofi"],
    )
    .await;
    assert!(resumed.status.success(), "{resumed:?}");
    let package = wait_for("the package", LIMIT, || async {
        bridge.sandbox.shaq.package("atlas-1047")
    })
    .await
    .unwrap();
    assert_eq!(package.request["region_id"], 2, "Ashanti");

    bridge.stop().await;
}

#[tokio::test]
async fn hash_password_makes_a_hash_the_console_accepts() {
    use tokio::io::AsyncWriteExt as _;
    let mut child = Command::new(env!("CARGO_BIN_EXE_shaq-bridge"))
        .arg("hash-password")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    stdin.write_all(b"kente-and-cocoa-2026\n").await.unwrap();
    drop(stdin);
    let output = child.wait_with_output().await.unwrap();
    assert!(output.status.success());
    let hash = stdout(&output).trim().to_owned();
    assert!(hash.starts_with("$argon2id$"), "{hash}");
    let bridge = SandboxBridge::start(&format!(
        "[[console.operators]]\nname = \"kofi\"\npassword_hash = \"{hash}\"\n"
    ))
    .await;
    let signed = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
        .post(bridge.url("/console/login"))
        .form(&[("name", "kofi"), ("password", "kente-and-cocoa-2026")])
        .send()
        .await
        .unwrap();
    assert_eq!(signed.status(), 303);
    bridge.stop().await;
}

/// At a terminal the password is asked twice and never shown; two different answers hash
/// nothing. A pseudo-terminal (`script`, util-linux) stands in for the operator's.
#[tokio::test]
async fn hash_password_at_a_terminal_asks_twice_without_echo() {
    use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
    async fn at_terminal(first: &str, second: &str) -> (bool, String) {
        let mut child = Command::new("script")
            .args([
                "-qec",
                &format!("{} hash-password", env!("CARGO_BIN_EXE_shaq-bridge")),
                "/dev/null",
            ])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        let mut stdin = child.stdin.take().unwrap();
        let mut stdout = child.stdout.take().unwrap();
        let mut seen = String::new();
        for (prompt, answer) in [("not shown", first), ("again", second)] {
            // Answer only once the prompt is out (echo is off by then).
            while !seen.contains(prompt) {
                let mut buffer = [0u8; 256];
                let n = stdout.read(&mut buffer).await.unwrap();
                assert!(n > 0, "no prompt `{prompt}`: {seen}");
                seen.push_str(&String::from_utf8_lossy(&buffer[..n]));
            }
            // rpassword turns echo off just after printing the prompt: a person types later
            // than that, and so does the test.
            tokio::time::sleep(std::time::Duration::from_millis(500)).await;
            stdin
                .write_all(format!("{answer}\r").as_bytes())
                .await
                .unwrap();
        }
        stdout.read_to_string(&mut seen).await.unwrap();
        let status = child.wait().await.unwrap();
        (status.success(), seen)
    }
    let (ok, said) = at_terminal("kente-and-cocoa-2026", "kente-and-cocoa-2027").await;
    assert!(!ok, "{said}");
    assert!(said.contains("the two passwords differ"), "{said}");
    assert!(
        !said.contains("kente-and-cocoa"),
        "the password was shown: {said}"
    );
    let (ok, said) = at_terminal("kente-and-cocoa-2026", "kente-and-cocoa-2026").await;
    assert!(ok, "{said}");
    assert!(said.contains("$argon2id$"), "{said}");
    assert!(
        !said.contains("kente-and-cocoa"),
        "the password was shown: {said}"
    );
}

/// `check-config --online` checks every account the settings name, and `digishare statuses`
/// shows the ids the account's tickets carry (Digishare lists neither types nor statuses).
#[tokio::test]
async fn the_online_check_and_digishare_listings_read_the_accounts() {
    let bridge = SandboxBridge::start("").await;
    let spec = OrderSpec {
        id: 1047,
        cod: true,
        country: "GH",
        phone: Some("024 412 3456".to_owned()),
        region: Some("Greater Accra".to_owned()),
    };
    bridge.place_woo_order(&spec, "Accra").await;
    wait_for("the ticket", LIMIT, || async {
        (!bridge.sandbox.digishare.tickets().is_empty()).then_some(())
    })
    .await
    .unwrap();

    let checked = shaq_bridge(&bridge.config, &["check-config", "--online"]).await;
    assert!(checked.status.success(), "{checked:?}");
    let text = stdout(&checked);
    for needle in [
        "# ShaQ: logged in at",
        "# Digishare: credentials accepted at",
        "# Digishare ids, as the 1 most recent tickets show them",
        "digishare.type_ticket_id npvrxamq9l94y8dz: on 1 of them",
        "NOT SEEN",
        "# Shop atlas: write-back off, no admin API to check",
        "# What to paste where",
    ] {
        assert!(text.contains(needle), "`{needle}` missing from:\n{text}");
    }

    let ticket = bridge.sandbox.digishare.tickets()[0].clone();
    let status = ticket["ticket_status_id"].as_str().unwrap().to_owned();
    let listed = shaq_bridge(&bridge.config, &["digishare", "statuses"]).await;
    assert!(listed.status.success(), "{listed:?}");
    let text = stdout(&listed);
    let row = text
        .lines()
        .find(|line| line.starts_with(&status))
        .unwrap_or_else(|| panic!("{status} not listed:\n{text}"));
    assert!(row.contains("statuses."), "{row}");
    let types = stdout(&shaq_bridge(&bridge.config, &["digishare", "types"]).await);
    assert!(
        types
            .lines()
            .any(|line| line.starts_with("npvrxamq9l94y8dz") && line.ends_with("type_ticket_id")),
        "{types}"
    );

    // A shop that writes back: its admin API is read (never written) with its credentials.
    let dir = tempfile::tempdir().unwrap();
    let toml = BridgeConfig::for_sandbox(
        &bridge.sandbox,
        &format!("sqlite://{}", dir.path().join("other.db").display()),
    )
    .shop(Shop::shopify("kente", "kente-webhook-key-0123456789").writes_back_to(&bridge.sandbox))
    .to_toml();
    let good = dir.path().join("good.toml");
    std::fs::write(&good, &toml).unwrap();
    let checked = shaq_bridge(&good, &["check-config", "--online"]).await;
    assert!(checked.status.success(), "{checked:?}");
    assert!(
        stdout(&checked).contains("# Shop kente: admin API credentials accepted"),
        "{}",
        stdout(&checked)
    );
    let bad = dir.path().join("bad.toml");
    std::fs::write(&bad, toml.replace("shpat_sandbox", "shpat_revoked")).unwrap();
    let refused = shaq_bridge(&bad, &["check-config", "--online"]).await;
    assert!(!refused.status.success(), "{refused:?}");
    assert!(
        stdout(&refused).contains("# Shop kente: FAILED"),
        "{}",
        stdout(&refused)
    );
    bridge.stop().await;
}

/// `shaq-bridge setup` without a terminal: flags and defaults make a private, valid settings
/// file that `check-config` accepts; an existing file is kept unless `--force`.
#[tokio::test]
async fn setup_writes_a_private_starter_file_check_config_accepts_once_filled_in() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("bridge.toml");
    let setup = |extra: &'static [&'static str]| {
        let file = file.clone();
        async move {
            Command::new(env!("CARGO_BIN_EXE_shaq-bridge"))
                .args(["setup", "--no-input", "--output"])
                .arg(&file)
                .args([
                    "--public-url",
                    "https://bridge.kente-cocoa.com.gh",
                    "--shop-id",
                    "kente",
                    "--platform",
                    "woocommerce",
                    "--shop-secret",
                    "woo-secret-0123456789",
                ])
                .args(extra)
                .stdin(Stdio::null())
                .output()
                .await
                .unwrap()
        }
    };
    let written = setup(&[]).await;
    assert!(written.status.success(), "{written:?}");
    let said = stdout(&written);
    let left = said
        .lines()
        .find_map(|line| line.strip_prefix("still to fill in: "))
        .unwrap_or_else(|| panic!("{said}"));
    for key in ["shaq.identifier", "shaq.secret", "digishare.type_ticket_id"] {
        assert!(left.split(", ").any(|named| named == key), "{key}: {left}");
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = std::fs::metadata(&file).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
    }
    // Until every `fill-me-in` is replaced, the settings are refused, each key named.
    let refused = shaq_bridge(&file, &["check-config"]).await;
    assert!(!refused.status.success(), "{refused:?}");
    let said = String::from_utf8_lossy(&refused.stderr);
    for key in [
        "shaq.identifier",
        "shaq.secret",
        "digishare.statuses.confirmed",
    ] {
        assert!(
            said.contains(&format!("{key} is still a placeholder")),
            "{key}: {said}"
        );
    }
    // Filled in (each its own value), they are accepted.
    let written_text = std::fs::read_to_string(&file).unwrap();
    let mut filled = String::new();
    for (index, piece) in written_text.split("fill-me-in").enumerate() {
        if index > 0 {
            filled.push_str(&format!("filled{index:02}value0123456789"));
        }
        filled.push_str(piece);
    }
    std::fs::write(&file, filled).unwrap();
    let checked = shaq_bridge(&file, &["check-config"]).await;
    assert!(checked.status.success(), "{checked:?}");
    let text = stdout(&checked);
    assert!(
        text.contains("delivery URL: https://bridge.kente-cocoa.com.gh/webhooks/shops/kente"),
        "{text}"
    );

    let again = setup(&[]).await;
    assert!(!again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("--force"));
    let forced = setup(&["--force", "--flow", "ship_immediately"]).await;
    assert!(forced.status.success(), "{forced:?}");
    assert!(
        std::fs::read_to_string(&file)
            .unwrap()
            .contains("flow = \"ship_immediately\"")
    );
    // Without --shop-secret, a WooCommerce shop's webhook secret is generated (`connect` gives
    // it to WooCommerce), and the file says how to register the webhooks.
    let generated = Command::new(env!("CARGO_BIN_EXE_shaq-bridge"))
        .args(["setup", "--no-input", "--force", "--output"])
        .arg(&file)
        .args(["--platform", "woocommerce", "--shop-id", "atlas"])
        .stdin(Stdio::null())
        .output()
        .await
        .unwrap();
    assert!(generated.status.success(), "{generated:?}");
    let text = std::fs::read_to_string(&file).unwrap();
    let secret_line = text
        .lines()
        .find(|line| line.starts_with("webhook_secrets"))
        .unwrap();
    assert!(
        !secret_line.contains("fill-me-in") && secret_line.len() > 40,
        "{secret_line}"
    );
    assert!(text.contains("shaq-bridge connect"), "{text}");
    assert!(text.contains("consumer_key"), "{text}");
}

#[tokio::test]
async fn handover_from_the_command_line_writes_the_manifest_and_labels() {
    let bridge = SandboxBridge::start("").await;
    for id in [61, 62] {
        let spec = OrderSpec {
            id,
            cod: true,
            country: "GH",
            phone: Some("024 412 3456".to_owned()),
            region: Some("Ashanti".to_owned()),
        };
        bridge.place_woo_order(&spec, "Kumasi").await;
        bridge
            .wait_for_state(&format!("atlas/{id}"), OrderState::Shipping)
            .await;
    }
    wait_for("both packages", LIMIT, || async {
        let stored = bridge.store.ready_for_handover().await.ok()?;
        (stored.first().map(|(_, n)| *n) == Some(2)).then_some(())
    })
    .await
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let pdf = dir.path().join("today.pdf");
    let output = shaq_bridge(
        &bridge.config,
        &[
            "handover",
            "--shop",
            "atlas",
            "--out",
            pdf.to_str().unwrap(),
            "--wait",
            "60",
        ],
    )
    .await;
    assert!(output.status.success(), "{output:?}");
    let said = stdout(&output);
    assert!(said.contains("2 package(s) of `atlas` gathered"), "{said}");
    assert!(said.contains("manifest and labels in"), "{said}");
    let pages = documents::page_texts(&std::fs::read(&pdf).unwrap()).unwrap();
    assert_eq!(pages.len(), 3, "the manifest and two labels");
    for id in [61, 62] {
        let tracking = bridge
            .sandbox
            .shaq
            .package(&format!("atlas-{id}"))
            .unwrap()
            .tracking_number;
        assert!(pages[0].contains(&tracking), "{}", pages[0]);
    }
    let again = shaq_bridge(&bridge.config, &["handover", "--shop", "atlas"]).await;
    assert!(again.status.success());
    assert!(stdout(&again).contains("nothing of `atlas` is waiting"));
    let unknown = shaq_bridge(&bridge.config, &["handover", "--shop", "nowhere"]).await;
    assert!(!unknown.status.success());
    assert!(String::from_utf8_lossy(&unknown.stderr).contains("shop `nowhere` is not configured"));
    bridge.stop().await;
}

#[tokio::test]
async fn the_demo_hands_its_parcel_over_and_prints_where_the_pdf_is() {
    let output = Command::new(env!("CARGO_BIN_EXE_shaq-bridge"))
        .args(["demo", "--handover"])
        .stdin(Stdio::null())
        .output()
        .await
        .unwrap();
    let said = stdout(&output);
    assert!(output.status.success(), "{said}\n{output:?}");
    let line = said
        .lines()
        .find(|line| line.contains("Handed over to ShaQ in shipment SAAM-"))
        .unwrap_or_else(|| panic!("{said}"));
    let path = line.rsplit(" in ").next().unwrap().trim();
    let pages = documents::page_texts(&std::fs::read(path).unwrap()).unwrap();
    assert_eq!(pages.len(), 2, "the manifest and the label");
    assert!(pages[1].contains("SANDBOX LABEL"), "{}", pages[1]);
    std::fs::remove_file(path).unwrap();
    assert!(said.contains("Final order state: delivered"), "{said}");
}

#[tokio::test]
async fn a_return_is_booked_from_the_command_line_only_after_delivery() {
    let bridge = SandboxBridge::start("").await;
    let spec = OrderSpec {
        id: 7301,
        cod: true,
        country: "GH",
        phone: Some("024 412 3456".to_owned()),
        region: Some("Ashanti".to_owned()),
    };
    bridge.place_woo_order(&spec, "Kumasi").await;
    wait_for("the package", LIMIT, || async {
        bridge.sandbox.shaq.package("atlas-7301")
    })
    .await
    .unwrap();
    bridge
        .wait_for_state("atlas/7301", OrderState::Shipping)
        .await;
    let early = shaq_bridge(
        &bridge.config,
        &[
            "orders",
            "after-sale",
            "atlas",
            "7301",
            "--kind",
            "return",
            "--as",
            "esi",
        ],
    )
    .await;
    assert!(!early.status.success());
    assert!(
        String::from_utf8_lossy(&early.stderr).contains("needs a delivered order"),
        "{early:?}"
    );
    bridge
        .sandbox
        .shaq
        .advance("atlas-7301", "delivered")
        .unwrap();
    bridge
        .wait_for_state("atlas/7301", OrderState::Delivered)
        .await;
    let booked = shaq_bridge(
        &bridge.config,
        &[
            "orders",
            "after-sale",
            "atlas",
            "7301",
            "--kind",
            "return",
            "--as",
            "esi",
        ],
    )
    .await;
    assert!(booked.status.success(), "{booked:?}");
    wait_for("the return package", LIMIT, || async {
        bridge.sandbox.shaq.package("atlas-7301-R1")
    })
    .await
    .unwrap();
    let wrong = shaq_bridge(
        &bridge.config,
        &["orders", "after-sale", "atlas", "7301", "--kind", "refund"],
    )
    .await;
    assert!(!wrong.status.success());
    assert!(
        String::from_utf8_lossy(&wrong.stderr).contains("not one of return, replace, exchange")
    );
    bridge.stop().await;
}

/// A PostgreSQL password given as `?password=` in the URL is printed by nobody: not by
/// `check-config`, not in the error when the database cannot be reached.
#[tokio::test]
async fn a_database_password_in_the_url_query_is_never_printed() {
    const PASSWORD: &str = "hunter2-query-password";
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("bridge.toml");
    let toml = BridgeConfig::with_upstreams(
        "http://127.0.0.1:9/api/v1",
        "http://127.0.0.1:9/v1",
        [
            "awaiting_confirmation",
            "received",
            "confirmed",
            "cancelled",
        ]
        .map(|key| (key.to_owned(), format!("status-{key}")))
        .to_vec(),
        // Port 9 (discard): nothing answers PostgreSQL there.
        &format!("postgres://bridge@127.0.0.1:9/shop?sslmode=disable&password={PASSWORD}"),
    )
    .shop(Shop::woocommerce("atlas", WOO_SECRET))
    .to_toml();
    std::fs::write(&config, toml).unwrap();
    for args in [&["check-config"][..], &["migrate"], &["orders", "list"]] {
        let output = shaq_bridge(&config, args).await;
        let printed = format!(
            "{}{}",
            stdout(&output),
            String::from_utf8_lossy(&output.stderr)
        );
        assert!(
            !printed.contains(PASSWORD),
            "{args:?} printed the password: {printed}"
        );
        assert!(
            printed.contains("127.0.0.1:9"),
            "{args:?} still says which database: {printed}"
        );
    }
}
