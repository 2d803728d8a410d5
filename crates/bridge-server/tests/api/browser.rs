//! The console in a real browser: headless Chromium driven through ChromeDriver signs in, finds a
//! stuck order by the number the customer quotes, fixes its region and sees it ship. Saves
//! screenshots of the inbox, the order page and the reports under `target/console-screenshots/` (the ones in
//! docs/console.md).
//!
//! Runs when `BRIDGE_TEST_CHROMEDRIVER` names a chromedriver (`.ci/run` installs Debian's
//! `chromium` and `chromium-driver` and sets it); `BRIDGE_TEST_CHROMIUM` names the browser
//! (default `/usr/bin/chromium`).

use std::path::PathBuf;
use std::process::Stdio;
use std::time::Duration;

use bridge_core::lifecycle::OrderState;
use bridge_sandbox::ports::free_listen_port;
use bridge_sandbox::shops::OrderSpec;
use bridge_sandbox::wait_for;
use bridge_server::sign_in::hash_password;
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::json;
use tokio::process::{Child, Command};

use crate::helpers::SandboxBridge;

const PASSWORD: &str = "kente-and-cocoa-2026";
const LIMIT: Duration = Duration::from_secs(60);

/// ChromeDriver on a free port, and a headless Chromium session through it.
async fn browser() -> (Child, Client) {
    let driver = std::env::var("BRIDGE_TEST_CHROMEDRIVER").expect("BRIDGE_TEST_CHROMEDRIVER");
    let chromium =
        std::env::var("BRIDGE_TEST_CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".to_owned());
    let port = free_listen_port();
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

/// Types the operator's name and the password on the sign-in page shown, and signs in.
async fn fill_in_sign_in(client: &Client, name: &str) {
    client
        .find(Locator::Id("name"))
        .await
        .unwrap()
        .send_keys(name)
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
}

/// The order page's journey as it reads; names and references in its lines are isolated
/// (FSI … PDI) for right-to-left pages, so it is compared without the marks.
async fn journey_text(client: &Client) -> String {
    find(client, Locator::Id("timeline"))
        .await
        .text()
        .await
        .unwrap()
        .chars()
        .filter(|c| !matches!(c, '\u{2068}' | '\u{2069}'))
        .collect()
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
    fill_in_sign_in(&client, "ama").await;
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
    assert!(results.text().await.unwrap().contains("Needs a person"));
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
    assert_eq!(state.text().await.unwrap(), "Being shipped");
    assert_eq!(
        state.attr("data-state").await.unwrap().as_deref(),
        Some("shipping")
    );
    let journey = journey_text(&client).await;
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

    // Reports, from the header: a month of earlier orders (seeded) and today's two counted,
    // the chart drawn by the browser.
    let seeded = seed_a_month_of_orders(&bridge).await;
    client
        .find(Locator::LinkText("Reports"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let received = find(&client, Locator::Css("#report-atlas .received-total")).await;
    assert_eq!(received.text().await.unwrap(), (seeded + 2).to_string());
    let chart = client
        .find(Locator::Css("#report-atlas svg.chart"))
        .await
        .unwrap();
    assert!(chart.is_displayed().await.unwrap());
    let (_, _, width, height) = chart.rectangle().await.unwrap();
    assert!(
        width > 300.0 && height > 80.0,
        "the chart is laid out ({width} × {height} px)"
    );
    let shot = client.screenshot().await.unwrap();
    std::fs::write(screenshots().join("reports.png"), shot).unwrap();

    client.close().await.unwrap();
    bridge.stop().await;
}

/// Orders of the 29 days before today for the shop `atlas`, every few of them confirmed,
/// declined, delivered or returned, so the reports page has a month to show. Returns how many.
async fn seed_a_month_of_orders(bridge: &SandboxBridge) -> u64 {
    use bridge_core::domain::{Located, RegionSource};
    use bridge_core::workflow::{Milestones, TrackedOrder};
    use chrono::{Duration as Days, Utc};

    let today = Utc::now();
    let regions = ["Greater Accra", "Ashanti", "Northern", "Volta"];
    let mut orders = Vec::new();
    for day in 1..30_i64 {
        for n in 0..(8 + (day * 7) % 9) {
            let id = 50_000 + day * 100 + n;
            // From 08:00 on each day (Accra is UTC): every order falls inside the 30 days shown.
            let received = today.date_naive().and_hms_opt(8, 0, 0).unwrap().and_utc()
                - Days::days(day)
                + Days::minutes(n * 37);
            let shop_order = bridge_core::domain::Order {
                shop_id: bridge_core::domain::ShopId::new("atlas"),
                platform_order_id: bridge_core::domain::PlatformOrderId::new(id.to_string()),
                order_ref: format!("#{id}"),
                version: None,
                cancelled: false,
                payment: bridge_core::domain::Payment::CashOnDelivery {
                    amount_to_collect: rust_decimal::Decimal::new(15_000 + n * 1_250, 2),
                },
                total: rust_decimal::Decimal::new(15_000 + n * 1_250, 2),
                currency: "GHS".to_owned(),
                recipient: bridge_core::domain::Recipient {
                    name: "Seeded customer".to_owned(),
                    phone: None,
                    phone_problem: None,
                    email: None,
                    phone_2: None,
                },
                address: bridge_core::domain::Address::default(),
                items: Vec::new(),
                note: None,
                language: bridge_core::domain::Language::En,
            };
            let at = |minutes: i64| Some(received + Days::minutes(minutes));
            let answer = (id * 13) % 10;
            let confirmed = answer < 7;
            let outcome = (id * 7) % 10;
            let milestones = Milestones {
                asked_at: Some(received),
                confirmed_at: if confirmed { at(5 + (id % 50)) } else { None },
                declined_at: if (7..9).contains(&answer) {
                    at(30)
                } else {
                    None
                },
                expired_at: if answer == 9 { at(24 * 60) } else { None },
                shipped_at: if confirmed { at(60) } else { None },
                delivered_at: if confirmed && outcome < 8 && day > 2 {
                    at(60 + 60 * (20 + id % 50))
                } else {
                    None
                },
                returned_at: if confirmed && outcome >= 8 && day > 2 {
                    at(6 * 24 * 60)
                } else {
                    None
                },
                cancelled_at: if confirmed { None } else { at(30) },
            };
            let state = match (&milestones.delivered_at, &milestones.returned_at, confirmed) {
                (Some(_), _, _) => OrderState::Delivered,
                (None, Some(_), _) => OrderState::Returned,
                (None, None, true) => OrderState::InTransit,
                (None, None, false) => OrderState::Cancelled,
            };
            let region = Located {
                region: regions[(id % 4) as usize].to_owned(),
                source: RegionSource::RegionField,
            };
            orders.push(
                TrackedOrder::for_tests(shop_order, state, received)
                    .with_milestones_for_tests(milestones, Some(region)),
            );
        }
    }
    bridge.store.seed_orders_for_tests(&orders).await.unwrap();
    orders.len() as u64
}

/// What the console pages look like to the browser: no sideways scroll, the language and the
/// direction of the page.
async fn layout(client: &Client) -> (bool, String, String, i64, i64) {
    let measured = client
        .execute(
            "const d = document.documentElement; \
             return [d.scrollWidth, window.innerWidth, d.dir, d.lang];",
            vec![],
        )
        .await
        .unwrap();
    let scroll = measured[0].as_i64().unwrap();
    let inner = measured[1].as_i64().unwrap();
    (
        scroll <= inner,
        measured[2].as_str().unwrap_or("").to_owned(),
        measured[3].as_str().unwrap_or("").to_owned(),
        scroll,
        inner,
    )
}

#[tokio::test]
#[cfg_attr(
    not(browser_tests),
    ignore = "browser test not run: set BRIDGE_TEST_CHROMEDRIVER (see .ci/run)"
)]
async fn every_page_reads_in_three_languages_on_a_desktop_and_a_phone_and_an_arabic_operator_fixes_an_order()
 {
    let hash = hash_password(PASSWORD).unwrap();
    let bridge = SandboxBridge::start(&format!(
        "[[console.operators]]\nname = \"ama\"\npassword_hash = \"{hash}\"\n\n\
         [[console.operators]]\nname = \"salma\"\npassword_hash = \"{hash}\"\nlanguage = \"ar\"\n"
    ))
    .await;
    let stuck = OrderSpec {
        id: 2047,
        cod: true,
        country: "GH",
        phone: Some("024 412 3456".to_owned()),
        region: Some("Upcountry".to_owned()),
    };
    bridge.place_woo_order(&stuck, "Behind the big tree").await;
    let shipped = OrderSpec {
        id: 2050,
        region: Some("Ashanti".to_owned()),
        ..stuck.clone()
    };
    bridge.place_woo_order(&shipped, "Kumasi").await;
    wait_for("the package", LIMIT, || async {
        bridge.sandbox.shaq.package("atlas-2050")
    })
    .await
    .unwrap();
    // The rider could not reach this customer: someone must call.
    bridge
        .sandbox
        .shaq
        .advance("atlas-2050", "customer_unreachable")
        .unwrap();
    bridge
        .wait_for_state("atlas/2050", OrderState::DeliveryProblem)
        .await;
    bridge
        .wait_for_state("atlas/2047", OrderState::NeedsAttention)
        .await;

    let (_driver, client) = browser().await;
    let sign_in_as = |name: &'static str| {
        let client = client.clone();
        let url = bridge.url("/console/login");
        async move {
            client.goto(&url).await.unwrap();
            fill_in_sign_in(&client, name).await;
            find(&client, Locator::Css("header.top")).await;
        }
    };
    sign_in_as("ama").await;
    let pages = [
        "/console",
        "/console/orders",
        "/console/orders?q=Upcountry",
        "/console/orders/atlas/2047",
        "/console/orders/atlas/2050",
        "/console/handover",
        "/console/reports",
        "/console/health",
    ];
    for (language, direction, word) in [
        ("en", "ltr", "Inbox"),
        ("fr", "ltr", "Commandes"),
        ("ar", "rtl", "الطلبات"),
    ] {
        // The switch on the page keeps the choice.
        client
            .goto(&bridge.url(&format!("/console/language/{language}?back=/console")))
            .await
            .unwrap();
        for (width, height) in [(1280, 900), (390, 844)] {
            client.set_window_size(width, height).await.unwrap();
            for page in pages {
                client.goto(&bridge.url(page)).await.unwrap();
                find(&client, Locator::Css("main h1")).await;
                let (fits, dir, lang, scroll, inner) = layout(&client).await;
                assert!(
                    fits,
                    "{page} in {language} at {width} px scrolls sideways ({scroll} > {inner})"
                );
                assert_eq!(
                    (dir.as_str(), lang.as_str()),
                    (direction, language),
                    "{page}"
                );
                let header = client
                    .find(Locator::Css("header.top"))
                    .await
                    .unwrap()
                    .text()
                    .await
                    .unwrap();
                assert!(header.contains(word), "{page} in {language}: {header}");
            }
            if width == 390 && language == "ar" {
                client.goto(&bridge.url("/console")).await.unwrap();
                let call = find(&client, Locator::Id("to-call")).await;
                let call_text = call.text().await.unwrap();
                assert!(
                    call_text.contains("1050") || call_text.contains("2050"),
                    "{call_text}"
                );
                let tel = client
                    .find(Locator::Css("#to-call a[href^='tel:']"))
                    .await
                    .unwrap();
                assert!(
                    tel.is_displayed().await.unwrap(),
                    "the call button is on screen"
                );
                let shot = client.screenshot().await.unwrap();
                std::fs::write(screenshots().join("inbox-ar-phone.png"), shot).unwrap();
            }
        }
    }

    // An Arabic-speaking operator on a phone: her setting chooses the language.
    client.delete_all_cookies().await.unwrap();
    client.set_window_size(390, 844).await.unwrap();
    sign_in_as("salma").await;
    client
        .goto(&bridge.url("/console/orders/atlas/2047"))
        .await
        .unwrap();
    let (fits, dir, _, _, _) = layout(&client).await;
    assert!(fits);
    assert_eq!(dir, "rtl", "salma reads Arabic");
    let reason = find(&client, Locator::Id("reason")).await;
    assert!(reason.text().await.unwrap().contains("Upcountry"));
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
    let save = client.find(Locator::Id("save-resume")).await.unwrap();
    assert!(save.is_displayed().await.unwrap());
    save.click().await.unwrap();
    let flash = find(&client, Locator::Css("p.flash")).await;
    let said = flash.text().await.unwrap();
    assert!(
        said.chars().any(|c| ('\u{0600}'..='\u{06FF}').contains(&c)),
        "the confirmation is in Arabic: {said}"
    );
    bridge
        .wait_for_state("atlas/2047", OrderState::Shipping)
        .await;
    client.refresh().await.unwrap();
    let state = find(&client, Locator::Id("state")).await;
    assert_eq!(
        state.attr("data-state").await.unwrap().as_deref(),
        Some("shipping")
    );
    let journey = journey_text(&client).await;
    // Her journey is in Arabic too: what she did, the region found, the state it moved to.
    let resumed = catalogue::text_with(
        catalogue::Locale::Ar,
        "line-resumed",
        &[("by", "salma".into())],
    );
    assert!(journey.contains(&resumed), "{resumed} in {journey}");
    assert!(!journey.contains("resumed by"), "{journey}");
    assert!(!journey.contains("corrected by"), "{journey}");
    let shot = client.screenshot().await.unwrap();
    std::fs::write(screenshots().join("order-ar-phone.png"), shot).unwrap();
    client
        .execute(
            "document.getElementById('timeline').scrollIntoView()",
            Vec::new(),
        )
        .await
        .unwrap();
    let (fits, _, _, _, _) = layout(&client).await;
    assert!(fits, "the journey fits the phone's width");
    let shot = client.screenshot().await.unwrap();
    std::fs::write(screenshots().join("order-journey-ar-phone.png"), shot).unwrap();
    client.close().await.unwrap();
    bridge.stop().await;
}
