//! The console in a real browser: headless Chromium driven through ChromeDriver signs in, finds a
//! stuck order by the number the customer quotes, fixes its region and sees it ship. Saves
//! screenshots of the inbox and the order page under `target/console-screenshots/` (the ones in
//! docs/console.md).
//!
//! Runs when `BRIDGE_TEST_CHROMEDRIVER` names a chromedriver (`.ci/run` installs Debian's
//! `chromium` and `chromium-driver` and sets it); `BRIDGE_TEST_CHROMIUM` names the browser
//! (default `/usr/bin/chromium`).

use std::path::PathBuf;
use std::process::Stdio;
use std::time::Duration;

use bridge_core::lifecycle::OrderState;
use bridge_sandbox::shops::OrderSpec;
use bridge_sandbox::wait_for;
use bridge_server::console::session::hash_password;
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::json;
use tokio::process::{Child, Command};

use crate::helpers::SandboxBridge;

const PASSWORD: &str = "kente-and-cocoa-2026";
const LIMIT: Duration = Duration::from_secs(60);

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// ChromeDriver on a free port, and a headless Chromium session through it.
async fn browser() -> (Child, Client) {
    let driver = std::env::var("BRIDGE_TEST_CHROMEDRIVER").expect("BRIDGE_TEST_CHROMEDRIVER");
    let chromium =
        std::env::var("BRIDGE_TEST_CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".to_owned());
    let port = free_port();
    let child = Command::new(&driver)
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .unwrap_or_else(|e| panic!("starting {driver}: {e}"));
    let capabilities = json!({
        "browserName": "chrome",
        "goog:chromeOptions": {
            "binary": chromium,
            "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                     "--window-size=1280,1000", "--lang=en-GB"],
        }
    });
    let capabilities = capabilities.as_object().unwrap().clone();
    let url = format!("http://127.0.0.1:{port}");
    let client = wait_for("chromedriver", Duration::from_secs(30), || {
        let capabilities = capabilities.clone();
        let url = url.clone();
        async move {
            ClientBuilder::rustls()
                .ok()?
                .capabilities(capabilities)
                .connect(&url)
                .await
                .ok()
        }
    })
    .await
    .unwrap();
    (child, client)
}

/// An element of the page the last click leads to: the page may still be loading.
async fn find(client: &Client, locator: Locator<'_>) -> fantoccini::elements::Element {
    client
        .wait()
        .at_most(Duration::from_secs(30))
        .for_element(locator)
        .await
        .unwrap()
}

fn screenshots() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target/console-screenshots");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[tokio::test]
#[cfg_attr(
    not(browser_tests),
    ignore = "browser test not run: set BRIDGE_TEST_CHROMEDRIVER (see .ci/run)"
)]
async fn a_merchant_finds_fixes_and_ships_a_stuck_order_in_the_browser() {
    let bridge = SandboxBridge::start(&format!(
        "[[console.operators]]\nname = \"ama\"\npassword_hash = \"{}\"\n",
        hash_password(PASSWORD).unwrap()
    ))
    .await;
    let spec = OrderSpec {
        id: 1047,
        cod: true,
        country: "GH",
        phone: Some("024 412 3456".to_owned()),
        region: Some("Upcountry".to_owned()),
    };
    bridge.place_woo_order(&spec, "Behind the big tree").await;
    bridge
        .place_woo_order(
            &OrderSpec {
                id: 1046,
                region: Some("Ashanti".to_owned()),
                ..spec.clone()
            },
            "Kumasi",
        )
        .await;
    bridge
        .wait_for_state("atlas/1047", OrderState::NeedsAttention)
        .await;

    let (_driver, client) = browser().await;
    client.goto(&bridge.url("/console")).await.unwrap();
    // Not signed in: the sign-in page, then back to the inbox.
    client
        .find(Locator::Id("name"))
        .await
        .unwrap()
        .send_keys("ama")
        .await
        .unwrap();
    client
        .find(Locator::Id("password"))
        .await
        .unwrap()
        .send_keys(PASSWORD)
        .await
        .unwrap();
    client
        .find(Locator::Id("sign-in"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let inbox = find(&client, Locator::Id("attention")).await;
    let listed = inbox.text().await.unwrap();
    assert!(
        listed.contains("1047") && listed.contains("Upcountry"),
        "{listed}"
    );
    let shot = client.screenshot().await.unwrap();
    std::fs::write(screenshots().join("inbox.png"), shot).unwrap();

    // The customer quotes "#1047": search for it from the header.
    let search = client
        .find(Locator::Css("header form.search input"))
        .await
        .unwrap();
    search.send_keys("#1047").await.unwrap();
    client
        .find(Locator::Css("header form.search button"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let results = find(&client, Locator::Id("orders")).await;
    assert!(results.text().await.unwrap().contains("needs_attention"));
    client
        .find(Locator::Css("#orders tbody a"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let reason = find(&client, Locator::Id("reason")).await;
    assert!(reason.text().await.unwrap().contains("Upcountry"));

    // Fix: pick the region, correct the city, save and resume.
    client
        .find(Locator::Css("#region option[value='Ashanti']"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let city = find(&client, Locator::Id("city")).await;
    city.clear().await.unwrap();
    city.send_keys("Kumasi").await.unwrap();
    client
        .find(Locator::Id("save-resume"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let flash = find(&client, Locator::Css("p.flash")).await;
    assert!(flash.text().await.unwrap().contains("Saved and resumed"));

    let package = wait_for("the package", LIMIT, || async {
        bridge.sandbox.shaq.package("atlas-1047")
    })
    .await
    .unwrap();
    assert_eq!(package.request["region_id"], 2, "Ashanti");
    bridge
        .wait_for_state("atlas/1047", OrderState::Shipping)
        .await;
    // The page, reloaded, shows the package and who did what.
    client.refresh().await.unwrap();
    let state = find(&client, Locator::Id("state")).await;
    assert_eq!(state.text().await.unwrap(), "shipping");
    let journey = client
        .find(Locator::Id("timeline"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        journey.contains("corrected by ama: region → Ashanti, city → Kumasi"),
        "{journey}"
    );
    assert!(journey.contains("resumed by ama"), "{journey}");
    let shown_package = client
        .find(Locator::Id("package"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        shown_package.contains(&package.tracking_number),
        "{shown_package}"
    );
    let shot = client.screenshot().await.unwrap();
    std::fs::write(screenshots().join("order.png"), shot).unwrap();

    client.close().await.unwrap();
    bridge.stop().await;
}
