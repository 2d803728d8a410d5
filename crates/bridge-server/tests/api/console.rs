//! The web console over HTTP: sign-in, sessions and CSRF, every page, search by each key, fix and
//! resume shipping an order, CSV export.

use bridge_core::lifecycle::OrderState;
use bridge_core::testing::TestBackend;
use bridge_sandbox::shops::OrderSpec;
use bridge_sandbox::wait_for;
use bridge_server::sign_in::hash_password;
use reqwest::StatusCode;
use reqwest::header::{COOKIE, LOCATION, ORIGIN, SET_COOKIE};

use crate::helpers::SandboxBridge;

const PASSWORD: &str = "kente-and-cocoa-2026";

fn operators_toml() -> String {
    format!(
        "[console]\nshaq_package_url = \"https://partner.shaqexpress.test/track/{{tracking_number}}\"\n\
         [[console.operators]]\nname = \"ama\"\npassword_hash = \"{}\"\n",
        hash_password(PASSWORD).unwrap()
    )
}

fn browser() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

/// Signs in as ama; the session cookie (`name=value`).
async fn sign_in(bridge: &SandboxBridge, client: &reqwest::Client) -> String {
    let response = client
        .post(bridge.url("/console/login"))
        .form(&[
            ("name", "ama"),
            ("password", PASSWORD),
            ("next", "/console"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let cookie = response.headers()[SET_COOKIE].to_str().unwrap().to_owned();
    for attribute in ["HttpOnly", "SameSite=Strict", "Path=/console"] {
        assert!(cookie.contains(attribute), "{cookie}");
    }
    cookie.split(';').next().unwrap().to_owned()
}

async fn page(client: &reqwest::Client, cookie: &str, url: &str) -> (StatusCode, String) {
    let response = client.get(url).header(COOKIE, cookie).send().await.unwrap();
    (response.status(), response.text().await.unwrap())
}

/// The CSRF token in a page's forms.
fn csrf_of(html: &str) -> String {
    let start = html.find("name=\"csrf\" value=\"").expect("a form") + 19;
    html[start..start + 32].to_owned()
}

#[tokio::test]
async fn the_console_is_off_when_nobody_can_sign_in() {
    let bridge = SandboxBridge::start("").await;
    let response = browser().get(bridge.url("/console")).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert!(
        response
            .text()
            .await
            .unwrap()
            .contains("The console is off")
    );
    bridge.stop().await;
}

async fn pages_need_a_session_and_forms_their_token(backend: TestBackend) {
    let bridge = SandboxBridge::start_on(backend, &operators_toml(), None).await;
    let client = browser();
    for path in [
        "/console",
        "/console/orders",
        "/console/health",
        "/console/orders/atlas/1",
    ] {
        let response = client.get(bridge.url(path)).send().await.unwrap();
        assert_eq!(response.status(), StatusCode::SEE_OTHER, "{path}");
        assert!(
            response.headers()[LOCATION]
                .to_str()
                .unwrap()
                .starts_with("/console/login?next=%2Fconsole"),
            "{path}"
        );
    }
    let wrong = client
        .post(bridge.url("/console/login"))
        .form(&[("name", "ama"), ("password", "guess")])
        .send()
        .await
        .unwrap();
    assert_eq!(wrong.status(), StatusCode::UNAUTHORIZED);
    assert!(
        wrong
            .text()
            .await
            .unwrap()
            .contains("Wrong name or password")
    );
    let forged = client
        .get(bridge.url("/console"))
        .header(COOKIE, "shaq_console=eyJvcGVyYXRvciI6ImFkbWluIn0.AAAA")
        .send()
        .await
        .unwrap();
    assert_eq!(
        forged.status(),
        StatusCode::SEE_OTHER,
        "a forged cookie is no session"
    );

    let secure = client
        .post(bridge.url("/console/login"))
        .header("x-forwarded-proto", "https")
        .form(&[("name", "ama"), ("password", PASSWORD)])
        .send()
        .await
        .unwrap();
    assert!(
        secure.headers()[SET_COOKIE]
            .to_str()
            .unwrap()
            .contains("; Secure")
    );

    let cookie = sign_in(&bridge, &client).await;
    let (status, inbox) = page(&client, &cookie, &bridge.url("/console")).await;
    assert_eq!(status, StatusCode::OK);
    let token = csrf_of(&inbox);
    // No site may frame the console, and its pages load nothing from elsewhere.
    let headers = client
        .get(bridge.url("/console"))
        .header(COOKIE, &cookie)
        .send()
        .await
        .unwrap()
        .headers()
        .clone();
    let policy = headers["content-security-policy"].to_str().unwrap();
    assert!(policy.contains("frame-ancestors 'none'"), "{policy}");
    assert!(policy.contains("default-src 'none'"), "{policy}");
    assert_eq!(headers["x-frame-options"], "DENY");
    assert_eq!(headers["x-content-type-options"], "nosniff");
    // A form without the session's token, or posted from another site, is refused.
    let without = client
        .post(bridge.url("/console/logout"))
        .header(COOKIE, &cookie)
        .form(&[("csrf", "0".repeat(32))])
        .send()
        .await
        .unwrap();
    assert_eq!(without.status(), StatusCode::FORBIDDEN);
    let foreign = client
        .post(bridge.url("/console/logout"))
        .header(COOKIE, &cookie)
        .header(ORIGIN, "https://evil.example")
        .form(&[("csrf", token.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(foreign.status(), StatusCode::FORBIDDEN);
    let out = client
        .post(bridge.url("/console/logout"))
        .header(COOKIE, &cookie)
        .form(&[("csrf", token.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(out.status(), StatusCode::SEE_OTHER);
    assert!(
        out.headers()[SET_COOKIE]
            .to_str()
            .unwrap()
            .contains("Max-Age=0")
    );
    // Signed out on the server: the old cookie, kept or copied, opens nothing any more.
    let after = client
        .get(bridge.url("/console"))
        .header(COOKIE, &cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(after.status(), StatusCode::SEE_OTHER, "used after sign-out");
    assert!(
        after.headers()[LOCATION]
            .to_str()
            .unwrap()
            .starts_with("/console/login")
    );

    // The stylesheet is in the binary.
    let css = client
        .get(bridge.url("/console/assets/console.css"))
        .send()
        .await
        .unwrap();
    assert_eq!(css.headers()["content-type"], "text/css; charset=utf-8");
    assert!(css.text().await.unwrap().contains("--accent"));
    bridge.stop().await;
}

/// A session ends when its operator's password changes or the operator is removed from the
/// settings (the bridge restarted with them), and a viewer may look but not act.
async fn sessions_end_with_their_credential_and_viewers_only_look(backend: TestBackend) {
    use bridge_core::store::StoredSession;
    let viewer = format!(
        "{}[[console.operators]]\nname = \"esi\"\npassword_hash = \"{}\"\nrole = \"viewer\"\n",
        operators_toml(),
        hash_password("esi-looks-only-2026").unwrap()
    );
    let bridge = SandboxBridge::start_on(backend, &viewer, None).await;
    let client = browser();
    let cookie = sign_in(&bridge, &client).await;
    let (status, _) = page(&client, &cookie, &bridge.url("/console")).await;
    assert_eq!(status, StatusCode::OK);
    // The password changes: the stored session was opened with the old one.
    let id = cookie
        .trim_start_matches("shaq_console=")
        .split('.')
        .next()
        .unwrap()
        .to_owned();
    let now = chrono::Utc::now();
    let stored = bridge
        .store
        .session(&id, now)
        .await
        .unwrap()
        .expect("stored");
    bridge.store.end_session(&id).await.unwrap();
    bridge
        .store
        .create_session(
            &StoredSession {
                credential: "a-credential-the-settings-no-longer-have".to_owned(),
                ..stored
            },
            now,
        )
        .await
        .unwrap();
    let (status, _) = page(&client, &cookie, &bridge.url("/console")).await;
    assert_eq!(
        status,
        StatusCode::SEE_OTHER,
        "over once the credential changed"
    );

    // A viewer looks, and is refused an action (403, saying why).
    let response = client
        .post(bridge.url("/console/login"))
        .form(&[
            ("name", "esi"),
            ("password", "esi-looks-only-2026"),
            ("next", "/console"),
        ])
        .send()
        .await
        .unwrap();
    let esi = response.headers()[SET_COOKIE]
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_owned();
    let (status, inbox) = page(&client, &esi, &bridge.url("/console")).await;
    assert_eq!(status, StatusCode::OK);
    let token = csrf_of(&inbox);
    let refused = client
        .post(bridge.url("/console/handover/atlas"))
        .header(COOKIE, &esi)
        .form(&[("csrf", token.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    assert!(refused.text().await.unwrap().contains("viewer"));
    bridge.stop().await;
}

async fn sign_in_attempts_are_limited_per_address(backend: TestBackend) {
    let bridge = SandboxBridge::start_on(backend, &operators_toml(), None).await;
    let client = browser();
    // Ten a minute, one more every six seconds: however slow each password check is on a busy
    // machine (argon2), the address is refused well before forty attempts.
    let mut statuses = Vec::new();
    for _ in 0..40 {
        let response = client
            .post(bridge.url("/console/login"))
            .form(&[("name", "ama"), ("password", "guess")])
            .send()
            .await
            .unwrap();
        statuses.push(response.status());
        if response.status() == StatusCode::TOO_MANY_REQUESTS {
            break;
        }
    }
    assert!(
        statuses[..10]
            .iter()
            .all(|s| *s == StatusCode::UNAUTHORIZED),
        "{statuses:?}"
    );
    assert_eq!(
        statuses.last(),
        Some(&StatusCode::TOO_MANY_REQUESTS),
        "{statuses:?}"
    );
    bridge.stop().await;
}

#[tokio::test]
async fn a_stuck_order_is_found_fixed_and_shipped_from_the_console() {
    let bridge = SandboxBridge::start(&operators_toml()).await;
    let spec = OrderSpec {
        id: 1047,
        cod: true,
        country: "GH",
        phone: Some("024 412 3456".to_owned()),
        region: Some("Atlantis".to_owned()),
    };
    bridge.place_woo_order(&spec, "Xyzzy").await;
    bridge
        .place_woo_order(
            &OrderSpec {
                id: 1048,
                region: Some("Ashanti".to_owned()),
                ..spec.clone()
            },
            "Kumasi",
        )
        .await;
    bridge
        .wait_for_state("atlas/1047", OrderState::NeedsAttention)
        .await;
    let shipped = wait_for(
        "the other order's package",
        std::time::Duration::from_secs(60),
        || async { bridge.sandbox.shaq.package("atlas-1048") },
    )
    .await
    .unwrap();
    let client = browser();
    let cookie = sign_in(&bridge, &client).await;

    let (status, inbox) = page(&client, &cookie, &bridge.url("/console")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        inbox.contains("/console/orders/atlas/1047"),
        "the stuck order is in the inbox"
    );
    assert!(
        inbox.contains("“Atlantis” is not one of ShaQ&#39;s regions")
            || inbox.contains("“Atlantis” is not one of ShaQ&#x27;s regions"),
        "with its reason, in words: {inbox}"
    );
    assert!(
        !inbox.contains("/console/orders/atlas/1048"),
        "a moving order is not"
    );

    let stored = bridge
        .store
        .order(&bridge_core::domain::OrderKey::new("atlas/1047"))
        .await
        .unwrap()
        .unwrap();
    let surname = stored
        .order()
        .recipient
        .name
        .split(' ')
        .next_back()
        .unwrap()
        .to_owned();
    for q in [
        "%231047",
        "1047",
        "0244123456",
        "%2B233%2024%20412%203456",
        &surname,
    ] {
        let (status, found) = page(
            &client,
            &cookie,
            &bridge.url(&format!("/console/orders?q={q}&state=needs_attention")),
        )
        .await;
        assert_eq!(status, StatusCode::OK);
        assert!(found.contains("/console/orders/atlas/1047"), "q={q}");
        assert!(found.contains("1–1 of 1"), "q={q}");
    }
    let (_, by_tracking) = page(
        &client,
        &cookie,
        &bridge.url(&format!("/console/orders?q={}", shipped.tracking_number)),
    )
    .await;
    assert!(
        by_tracking.contains("/console/orders/atlas/1048")
            && !by_tracking.contains("/console/orders/atlas/1047")
    );
    let (status, wrong) = page(
        &client,
        &cookie,
        &bridge.url("/console/orders?from=yesterday"),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(wrong.contains("yesterday"));

    let csv = client
        .get(bridge.url("/console/orders.csv?shop=atlas"))
        .header(COOKIE, &cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(csv.headers()["content-type"], "text/csv; charset=utf-8");
    let csv = csv.text().await.unwrap();
    // A byte order mark first, so Excel reads Arabic and accents as written.
    assert!(
        csv.starts_with("\u{feff}order_key,shop,order_name"),
        "{csv}"
    );
    assert_eq!(csv.lines().count(), 3, "header and two orders: {csv}");

    let (status, order) = page(
        &client,
        &cookie,
        &bridge.url("/console/orders/atlas/%231047"),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(order.contains("Why it stopped"));
    assert!(
        !order.contains("0244123456") && !order.contains("412 3456"),
        "phones masked outside the form's own field"
    );
    let token = csrf_of(&order);
    let post = |path: &str, form: Vec<(&str, &str)>| {
        client
            .post(bridge.url(path))
            .header(COOKIE, &cookie)
            .form(&form)
            .send()
    };
    // A region that is not ShaQ's is refused, naming the field; the page keeps what was typed.
    let refused = post(
        "/console/orders/atlas/1047/correct",
        vec![
            ("csrf", &token),
            ("region", "Atlantis"),
            ("line1", "House 5"),
            ("line2", ""),
            ("city", "Kumasi"),
            ("phone", "+233244123456"),
            ("amount", &stored.collect().amount.to_string()),
            ("then", "resume"),
        ],
    )
    .await
    .unwrap();
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let refused = refused.text().await.unwrap();
    assert!(
        refused.contains("Region: “Atlantis” is not one of ShaQ"),
        "{refused}"
    );
    assert!(refused.contains("value=\"House 5\""));

    let saved = post(
        "/console/orders/atlas/1047/correct",
        vec![
            ("csrf", &token),
            ("region", "Ashanti"),
            ("line1", &stored.order().address.line1),
            ("line2", ""),
            ("city", "Kumasi"),
            ("phone", "+233244123456"),
            ("amount", &stored.collect().amount.to_string()),
            ("then", "resume"),
        ],
    )
    .await
    .unwrap();
    assert_eq!(saved.status(), StatusCode::SEE_OTHER);
    let back = saved.headers()[LOCATION].to_str().unwrap().to_owned();
    assert_eq!(back, "/console/orders/atlas/1047?done=correct-resume");
    let package = wait_for(
        "the package",
        std::time::Duration::from_secs(60),
        || async { bridge.sandbox.shaq.package("atlas-1047") },
    )
    .await
    .unwrap();
    assert_eq!(package.request["region_id"], 2, "Ashanti");
    let (_, after) = page(&client, &cookie, &bridge.url(&back)).await;
    assert!(after.contains("Saved and resumed"));
    assert!(after.contains("corrected by ama: region → Ashanti, city → Kumasi"));
    assert!(after.contains("resumed by ama"));
    assert!(
        after.contains(&format!(
            "https://partner.shaqexpress.test/track/{}",
            package.tracking_number
        )),
        "linked package"
    );

    // Health lists the queue, the orders and the last webhook per source.
    let (status, health) = page(&client, &cookie, &bridge.url("/console/health")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(health.contains("shop:atlas") && health.contains("Needs a person"));
    assert!(health.contains("id=\"outcomes\"") && health.contains("Create the ShaQ package"));
    bridge.stop().await;
}

#[tokio::test]
async fn the_alert_rules_name_metrics_the_bridge_exports() {
    let bridge = SandboxBridge::start("").await;
    let spec = OrderSpec {
        id: 2001,
        cod: true,
        country: "GH",
        phone: Some("024 412 3456".to_owned()),
        region: Some("Ashanti".to_owned()),
    };
    bridge.place_woo_order(&spec, "Kumasi").await;
    wait_for(
        "the package",
        std::time::Duration::from_secs(60),
        || async { bridge.sandbox.shaq.package("atlas-2001") },
    )
    .await
    .unwrap();
    let metrics = browser()
        .get(bridge.url("/metrics"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    for line in [
        "bridge_orders{state=\"needs_attention\"}",
        "bridge_orders{state=\"shipping\"}",
        "bridge_last_webhook_timestamp_seconds{source=\"shop:atlas\"}",
        "bridge_jobs{state=\"dead\"}",
        "bridge_jobs_finished_total{kind=\"create_package\",outcome=\"done\"}",
        "bridge_report_orders_received{shop=\"atlas\",window=\"7d\"} 1",
        "bridge_report_confirmation_rate{shop=\"atlas\",window=\"7d\"} NaN",
    ] {
        assert!(metrics.contains(line), "{line} in {metrics}");
    }
    let rules = include_str!("../../../../deploy/prometheus/alerts.yml");
    let mut names: Vec<&str> = rules
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .filter(|word| word.starts_with("bridge_"))
        .collect();
    names.sort_unstable();
    names.dedup();
    assert!(names.len() >= 4, "{names:?}");
    for name in names {
        assert!(
            metrics.contains(&format!("{name}{{")),
            "alerts.yml uses {name}, which /metrics lacks"
        );
    }
    bridge.stop().await;
}

#[tokio::test]
async fn replay_cancel_and_retry_from_the_console() {
    use bridge_core::jobs::{JobState, OrderJob};
    use bridge_core::store::JobFilter;
    use bridge_core::workflow::NewJob;
    let bridge = SandboxBridge::start(&operators_toml()).await;
    let spec = OrderSpec {
        id: 3001,
        cod: true,
        country: "GH",
        phone: Some("024 412 3456".to_owned()),
        region: Some("Ashanti".to_owned()),
    };
    bridge.place_woo_order(&spec, "Kumasi").await;
    wait_for(
        "the package",
        std::time::Duration::from_secs(60),
        || async { bridge.sandbox.shaq.package("atlas-3001") },
    )
    .await
    .unwrap();
    // A job that dies at once: a label for an order of another shop that has no ticket.
    bridge
        .store
        .enqueue(
            &[NewJob::for_tests(
                OrderJob::AttachLabel,
                "atlas/9999",
                "attach_label:atlas/9999:doomed",
            )],
            chrono::Utc::now(),
        )
        .await
        .unwrap();
    let dead = wait_for(
        "the dead job",
        std::time::Duration::from_secs(60),
        || async {
            let dead = bridge
                .store
                .list_jobs(&JobFilter {
                    state: Some(JobState::Dead),
                    ..JobFilter::default()
                })
                .await
                .ok()?;
            dead.first().map(|job| job.id)
        },
    )
    .await
    .unwrap();
    let client = browser();
    let cookie = sign_in(&bridge, &client).await;
    let (_, inbox) = page(&client, &cookie, &bridge.url("/console")).await;
    assert!(
        inbox.contains(&format!("/console/jobs/{dead}/retry")),
        "the dead job has Retry"
    );
    let token = csrf_of(&inbox);
    let post = |path: String, form: Vec<(&'static str, String)>| {
        client
            .post(bridge.url(&path))
            .header(COOKIE, &cookie)
            .form(&form)
            .send()
    };
    let retried = post(
        format!("/console/jobs/{dead}/retry"),
        vec![("csrf", token.clone()), ("back", "/console".to_owned())],
    )
    .await
    .unwrap();
    assert_eq!(retried.status(), StatusCode::SEE_OTHER);
    assert_eq!(retried.headers()[LOCATION], "/console?done=retry");
    let again = post(
        format!("/console/jobs/{dead}/retry"),
        vec![("csrf", token.clone())],
    )
    .await
    .unwrap();
    assert!(matches!(
        again.status(),
        StatusCode::CONFLICT | StatusCode::SEE_OTHER
    ));

    let replayed = post(
        "/console/orders/atlas/3001/replay".to_owned(),
        vec![("csrf", token.clone())],
    )
    .await
    .unwrap();
    assert_eq!(
        replayed.headers()[LOCATION],
        "/console/orders/atlas/3001?done=replay"
    );
    // Cancel needs the box ticked.
    let unticked = post(
        "/console/orders/atlas/3001/cancel".to_owned(),
        vec![("csrf", token.clone())],
    )
    .await
    .unwrap();
    assert_eq!(unticked.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let cancelled = post(
        "/console/orders/atlas/3001/cancel".to_owned(),
        vec![("csrf", token.clone()), ("confirm", "yes".to_owned())],
    )
    .await
    .unwrap();
    assert_eq!(
        cancelled.headers()[LOCATION],
        "/console/orders/atlas/3001?done=cancel"
    );
    bridge
        .wait_for_state("atlas/3001", OrderState::Cancelled)
        .await;
    wait_for(
        "the package deleted",
        std::time::Duration::from_secs(60),
        || async {
            bridge
                .sandbox
                .shaq
                .package("atlas-3001")
                .is_none()
                .then_some(())
        },
    )
    .await
    .unwrap();
    let (_, order) = page(&client, &cookie, &bridge.url("/console/orders/atlas/3001")).await;
    for line in ["replayed by ama", "cancelled by ama"] {
        assert!(order.contains(line), "{line}");
    }
    let (status, refused) = page(&client, &cookie, &bridge.url("/console/orders/atlas/3001")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        !refused.contains("Cancel order"),
        "a cancelled order offers no cancel"
    );
    bridge.stop().await;
}

#[tokio::test]
async fn the_reports_page_shows_each_shops_figures_with_a_chart_and_exports_them() {
    let bridge = SandboxBridge::start(&operators_toml()).await;
    for id in [4001, 4002] {
        let spec = OrderSpec {
            id,
            cod: true,
            country: "GH",
            phone: Some("024 412 3456".to_owned()),
            region: Some("Ashanti".to_owned()),
        };
        bridge.place_woo_order(&spec, "Kumasi").await;
    }
    for id in [4001, 4002] {
        wait_for(
            "the package",
            std::time::Duration::from_secs(60),
            || async { bridge.sandbox.shaq.package(&format!("atlas-{id}")) },
        )
        .await
        .unwrap();
    }
    bridge
        .sandbox
        .shaq
        .advance("atlas-4001", "delivered")
        .unwrap();
    bridge
        .wait_for_state("atlas/4001", bridge_core::lifecycle::OrderState::Delivered)
        .await;
    let client = browser();
    let cookie = sign_in(&bridge, &client).await;
    let (status, html) = page(&client, &cookie, &bridge.url("/console/reports?by=week")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("id=\"report-atlas\""), "{html}");
    assert!(
        html.contains("<strong class=\"received-total\">2</strong>"),
        "{html}"
    );
    assert!(html.contains("<svg class=\"chart\""), "{html}");
    assert!(html.contains(": 2 received</title>"), "{html}");
    assert!(html.contains(": 1 delivered</title>"), "{html}");
    assert!(html.contains("<bdi>Ashanti</bdi>"), "{html}");
    // Nothing is fetched from elsewhere: the page works offline.
    assert!(
        !html.contains("http://") && !html.contains("https://"),
        "{html}"
    );

    let csv = client
        .get(bridge.url("/console/reports.csv?by=month&table=regions"))
        .header(COOKIE, &cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(csv.status(), StatusCode::OK);
    let text = csv.text().await.unwrap();
    assert!(
        text.lines()
            .any(|line| line.starts_with("atlas,") && line.contains(",Ashanti,2,1,0,1.0000,")),
        "{text}"
    );
    let (status, refused) = page(&client, &cookie, &bridge.url("/console/reports?by=decade")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        refused.contains("`decade` is not one of day, week, month"),
        "{refused}"
    );
    let signed_out = client
        .get(bridge.url("/console/reports.csv"))
        .send()
        .await
        .unwrap();
    assert_eq!(signed_out.status(), StatusCode::SEE_OTHER);
    bridge.stop().await;
}

#[tokio::test]
async fn a_person_hands_the_days_parcels_over_from_the_console() {
    let bridge = SandboxBridge::start(&operators_toml()).await;
    let spec = OrderSpec {
        id: 7001,
        cod: true,
        country: "GH",
        phone: Some("024 412 3456".to_owned()),
        region: Some("Ashanti".to_owned()),
    };
    bridge.place_woo_order(&spec, "Kumasi").await;
    bridge
        .wait_for_state("atlas/7001", bridge_core::lifecycle::OrderState::Shipping)
        .await;
    wait_for(
        "the package ready",
        std::time::Duration::from_secs(60),
        || async {
            let ready = bridge.store.ready_for_handover().await.ok()?;
            (!ready.is_empty()).then_some(())
        },
    )
    .await
    .unwrap();
    let client = browser();
    let cookie = sign_in(&bridge, &client).await;
    let (status, html) = page(&client, &cookie, &bridge.url("/console/handover")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        html.contains(
            "<bdi>atlas</bdi></td><td class=\"num\" data-label=\"Ready to hand over\">1</td>"
        ),
        "{html}"
    );
    let csrf = csrf_of(&html);
    let forged = client
        .post(bridge.url("/console/handover/atlas"))
        .header(COOKIE, &cookie)
        .header(ORIGIN, bridge.url(""))
        .form(&[("csrf", "not-the-token")])
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), StatusCode::FORBIDDEN);
    let done = client
        .post(bridge.url("/console/handover/atlas"))
        .header(COOKIE, &cookie)
        .header(ORIGIN, bridge.url(""))
        .form(&[("csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(done.status(), StatusCode::SEE_OTHER);
    // The page waits for the shipment and shows it, with its PDF, at once.
    assert_eq!(
        done.headers()[LOCATION],
        "/console/handover?gathered=1&shipment=1#new-shipment"
    );
    let shipment = wait_for(
        "the shipment",
        std::time::Duration::from_secs(60),
        || async {
            let shipments = bridge.store.shipments(None, 1).await.ok()?;
            shipments
                .into_iter()
                .find(|s| s.state == bridge_core::store::ShipmentState::Ready)
        },
    )
    .await
    .unwrap();
    assert_eq!(shipment.requested_by, "ama");
    let (_, listed) = page(&client, &cookie, &bridge.url("/console/handover")).await;
    let link = format!("/console/shipments/{}/pdf", shipment.id);
    assert!(listed.contains(&link), "{listed}");
    // Where the button led: the new shipment first, marked, with its PDF and a plain message.
    let (_, fresh) = page(
        &client,
        &cookie,
        &bridge.url(&format!(
            "/console/handover?gathered=1&shipment={}",
            shipment.id
        )),
    )
    .await;
    let marked = fresh
        .find("id=\"new-shipment\"")
        .expect("the new shipment is marked");
    assert!(fresh[marked..].contains(&link), "{fresh}");
    assert!(fresh.contains("1 package handed over"), "{fresh}");
    let pdf = client
        .get(bridge.url(&link))
        .header(COOKIE, &cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(pdf.status(), StatusCode::OK);
    let pages = documents::page_texts(&pdf.bytes().await.unwrap()).unwrap();
    assert!(pages[0].contains(shipment.reference.as_deref().unwrap()));
    // The order's page shows the handover on its journey.
    let (_, order) = page(&client, &cookie, &bridge.url("/console/orders/atlas/7001")).await;
    assert!(order.contains("handed over to ShaQ in shipment"), "{order}");
    bridge.stop().await;
}

#[tokio::test]
async fn a_refused_handover_gives_its_packages_back_with_shaqs_reason() {
    let bridge = SandboxBridge::start(&operators_toml()).await;
    let spec = OrderSpec {
        id: 7101,
        cod: true,
        country: "GH",
        phone: Some("024 412 3456".to_owned()),
        region: Some("Ashanti".to_owned()),
    };
    bridge.place_woo_order(&spec, "Kumasi").await;
    wait_for(
        "the package ready",
        std::time::Duration::from_secs(60),
        || async {
            let ready = bridge.store.ready_for_handover().await.ok()?;
            (!ready.is_empty()).then_some(())
        },
    )
    .await
    .unwrap();
    bridge
        .sandbox
        .shaq
        .refuse_shipments(Some("Your account cannot create shipments today."));
    let client = browser();
    let cookie = sign_in(&bridge, &client).await;
    let (_, html) = page(&client, &cookie, &bridge.url("/console/handover")).await;
    let hand_over = |csrf: String| {
        let client = client.clone();
        let cookie = cookie.clone();
        let url = bridge.url("/console/handover/atlas");
        let origin = bridge.url("");
        async move {
            client
                .post(url)
                .header(COOKIE, cookie)
                .header(ORIGIN, origin)
                .form(&[("csrf", csrf)])
                .send()
                .await
                .unwrap()
        }
    };
    assert_eq!(
        hand_over(csrf_of(&html)).await.status(),
        StatusCode::SEE_OTHER
    );
    let refused = wait_for(
        "the refusal",
        std::time::Duration::from_secs(60),
        || async {
            let shipments = bridge.store.shipments(None, 1).await.ok()?;
            shipments
                .into_iter()
                .find(|s| s.state == bridge_core::store::ShipmentState::Refused)
        },
    )
    .await
    .unwrap();
    assert!(
        refused
            .last_error
            .as_deref()
            .is_some_and(|e| e.contains("cannot create shipments today")),
        "{refused:?}"
    );
    // Nothing is stuck: the package is ready again, the order says why, no job died.
    assert_eq!(bridge.store.ready_for_handover().await.unwrap().len(), 1);
    let (_, order) = page(&client, &cookie, &bridge.url("/console/orders/atlas/7101")).await;
    assert!(
        order.contains("ShaQ refused the handover shipment"),
        "{order}"
    );
    assert_eq!(
        bridge
            .store
            .job_counts()
            .await
            .unwrap()
            .get(bridge_core::jobs::JobState::Dead),
        0
    );
    bridge.sandbox.shaq.refuse_shipments(None);
    let (_, html) = page(&client, &cookie, &bridge.url("/console/handover")).await;
    assert!(html.contains("refused"), "{html}");
    assert_eq!(
        hand_over(csrf_of(&html)).await.status(),
        StatusCode::SEE_OTHER
    );
    wait_for(
        "the shipment",
        std::time::Duration::from_secs(60),
        || async {
            let shipments = bridge.store.shipments(None, 1).await.ok()?;
            shipments
                .into_iter()
                .find(|s| s.state == bridge_core::store::ShipmentState::Ready)
        },
    )
    .await
    .unwrap();
    assert_eq!(bridge.sandbox.shaq.shipments().len(), 1);
    bridge.stop().await;
}

#[tokio::test]
async fn an_exchange_is_asked_from_a_delivered_orders_page() {
    let bridge = SandboxBridge::start(&operators_toml()).await;
    let spec = OrderSpec {
        id: 7201,
        cod: true,
        country: "GH",
        phone: Some("024 412 3456".to_owned()),
        region: Some("Ashanti".to_owned()),
    };
    bridge.place_woo_order(&spec, "Kumasi").await;
    wait_for(
        "the package",
        std::time::Duration::from_secs(60),
        || async { bridge.sandbox.shaq.package("atlas-7201") },
    )
    .await
    .unwrap();
    let client = browser();
    let cookie = sign_in(&bridge, &client).await;
    let url = bridge.url("/console/orders/atlas/7201");
    let (_, before) = page(&client, &cookie, &url).await;
    assert!(!before.contains("id=\"exchange\""), "only after delivery");
    bridge
        .sandbox
        .shaq
        .advance("atlas-7201", "delivered")
        .unwrap();
    bridge
        .wait_for_state("atlas/7201", OrderState::Delivered)
        .await;
    let (_, delivered) = page(&client, &cookie, &url).await;
    assert!(delivered.contains("id=\"exchange\""), "{delivered}");
    let asked = client
        .post(format!("{url}/exchange"))
        .header(COOKIE, &cookie)
        .header(ORIGIN, bridge.url(""))
        .form(&[("csrf", csrf_of(&delivered))])
        .send()
        .await
        .unwrap();
    assert_eq!(asked.status(), StatusCode::SEE_OTHER);
    for reference in ["atlas-7201-R1", "atlas-7201-D1"] {
        wait_for(reference, std::time::Duration::from_secs(60), || async {
            bridge.sandbox.shaq.package(reference)
        })
        .await
        .unwrap();
    }
    let (_, after) = wait_for(
        "the journey",
        std::time::Duration::from_secs(60),
        || async {
            let shown = page(&client, &cookie, &url).await;
            shown.1.contains("replacement package").then_some(shown)
        },
    )
    .await
    .unwrap();
    assert!(after.contains("exchange asked by ama"), "{after}");
    assert!(!after.contains("id=\"exchange\""), "one at a time");
    bridge.stop().await;
}

/// ShaQ makes the shipment but its answer never arrives: the retry finds the shipment on the
/// package (ShaQ's `shipmentReference`) and adopts it rather than asking for a second one.
#[tokio::test]
async fn a_handover_whose_answer_was_lost_adopts_the_shipment_shaq_made() {
    let bridge = SandboxBridge::start("").await;
    let spec = OrderSpec {
        id: 7401,
        cod: true,
        country: "GH",
        phone: Some("024 412 3456".to_owned()),
        region: Some("Ashanti".to_owned()),
    };
    bridge.place_woo_order(&spec, "Kumasi").await;
    wait_for(
        "the package ready",
        std::time::Duration::from_secs(60),
        || async {
            let ready = bridge.store.ready_for_handover().await.ok()?;
            (!ready.is_empty()).then_some(())
        },
    )
    .await
    .unwrap();
    bridge
        .sandbox
        .shaq
        .faults
        .set_plan(bridge_sandbox::faults::FaultPlan {
            hang_after_apply: 1.0,
            hang: std::time::Duration::from_secs(3),
            paths: vec!["/api/v1/shipments".to_owned()],
            ..Default::default()
        });
    let gathered = bridge
        .store
        .gather_handover(
            &bridge_core::domain::ShopId::new("atlas"),
            "ama",
            None,
            chrono::Utc::now(),
        )
        .await
        .unwrap()
        .unwrap();
    wait_for(
        "the lost answer",
        std::time::Duration::from_secs(60),
        || async { (bridge.sandbox.shaq.shipments().len() == 1).then_some(()) },
    )
    .await
    .unwrap();
    bridge
        .sandbox
        .shaq
        .faults
        .set_plan(bridge_sandbox::faults::FaultPlan::default());
    let ready = wait_for(
        "the shipment adopted",
        std::time::Duration::from_secs(60),
        || async {
            let shipment = bridge.store.shipment(gathered.id).await.ok()??;
            (shipment.state == bridge_core::store::ShipmentState::Ready).then_some(shipment)
        },
    )
    .await
    .unwrap();
    let made = bridge.sandbox.shaq.shipments();
    assert_eq!(made.len(), 1, "one shipment at ShaQ: {made:?}");
    assert_eq!(
        ready.reference.as_deref(),
        made.keys().next().map(String::as_str)
    );
    bridge.stop().await;
}

on_both_backends!(
    pages_need_a_session_and_forms_their_token,
    sessions_end_with_their_credential_and_viewers_only_look,
    sign_in_attempts_are_limited_per_address,
);
