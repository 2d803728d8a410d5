//! Settings: defaults, files, the environment, secrets from files, and every refusal naming its key.

use super::*;
use bridge_core::store::Backend;

const EXAMPLE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../config/example.toml");

fn env(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

/// What a merchant fills in before `config/example.toml` runs: its placeholders.
const FILLED_IN: [(&str, &str); 2] = [
    (
        "SHAQ_BRIDGE__SERVER__PUBLIC_URL",
        "https://bridge.kente-cocoa.com.gh",
    ),
    (
        "SHAQ_BRIDGE__SERVER__ADMIN_TOKEN",
        "9f3c2a71e04b6d58a1c7e2f90b4d3a66",
    ),
];

/// `config/example.toml` filled in, with `pairs` from the environment.
fn example(pairs: &[(&str, &str)]) -> Result<Settings, ConfigError> {
    let mut all = env(&FILLED_IN);
    all.extend(env(pairs));
    Settings::load_with_env(Some(Path::new(EXAMPLE)), all)
}

/// `config/example.toml` as text, its placeholders filled in.
fn example_text() -> String {
    std::fs::read_to_string(EXAMPLE)
        .expect("example")
        .replace(
            "https://bridge.example.com",
            "https://bridge.kente-cocoa.com.gh",
        )
        .replace(
            "change-me-to-a-long-random-string",
            "9f3c2a71e04b6d58a1c7e2f90b4d3a66",
        )
}

/// The example as shipped does not run: its placeholders are named, and nothing else.
#[test]
fn the_example_file_refuses_to_run_until_its_placeholders_are_filled_in() {
    let error =
        Settings::load_with_env(Some(Path::new(EXAMPLE)), Vec::new()).expect_err("placeholders");
    let text = error.to_string();
    assert!(
        text.contains("server.public_url is still a placeholder"),
        "{text}"
    );
    assert!(
        text.contains("server.admin_token is still a placeholder"),
        "{text}"
    );
    assert!(
        !text.contains("change-me-to"),
        "the value is not repeated: {text}"
    );
    assert_eq!(text.matches("placeholder").count(), 2, "{text}");
}

#[test]
fn the_example_file_is_valid_and_defaults_fill_the_rest() {
    let settings = example(&[]).expect("config/example.toml, filled in, is valid");
    assert_eq!(settings.server.listen.port(), 8080);
    assert_eq!(settings.database.url, "sqlite://data/shaq-bridge.db");
    // Unset: it follows the database.
    assert_eq!(settings.workers.concurrency, None);
    assert_eq!(settings.workers.concurrency_on(Backend::Sqlite), 64);
    assert_eq!(settings.workers.concurrency_on(Backend::Postgres), 256);
    assert_eq!(
        (
            settings.shaq.max_in_flight,
            settings.digishare.max_in_flight
        ),
        (16, 16),
        "calls to each upstream are limited apart from the workers"
    );
    assert_eq!(
        settings.shaq.defaults.package_type,
        shaq_client::PackageType::Box
    );
    assert_eq!(
        settings.workflow.confirmation_timeout,
        Duration::from_secs(48 * 3600)
    );
}

#[test]
fn an_unreasonable_in_flight_limit_is_refused_by_name() {
    let error =
        example(&[("SHAQ_BRIDGE__DIGISHARE__MAX_IN_FLIGHT", "5000")]).expect_err("over 1024");
    assert!(
        error.to_string().contains("digishare.max_in_flight"),
        "{error}"
    );
    let unlimited = example(&[("SHAQ_BRIDGE__SHAQ__MAX_IN_FLIGHT", "0")]).expect("0: none");
    assert!(unlimited.shaq.client().is_ok());
}

#[test]
fn without_a_file_the_missing_sections_are_named() {
    let error = Settings::load_with_env(None, env(&[])).expect_err("shaq is required");
    assert!(error.to_string().contains("shaq"), "{error}");
}

#[test]
fn environment_overrides_files() {
    let settings = example(&[
        ("SHAQ_BRIDGE__WORKERS__CONCURRENCY", "3"),
        ("SHAQ_BRIDGE__SHAQ__SECRET", "secret-from-the-environment"),
        ("OTHER__WORKERS__CONCURRENCY", "99"),
    ])
    .expect("valid");
    assert_eq!(settings.workers.concurrency, Some(3));
    assert_eq!(settings.workers.concurrency_on(Backend::Postgres), 3);
    assert_eq!(
        settings.shaq.secret.expose_secret(),
        "secret-from-the-environment"
    );
}

#[test]
fn shop_secrets_come_from_the_environment_by_shop_id() {
    let settings = example(&[
        (
            "SHAQ_BRIDGE__SHOPS__KENTE__WEBHOOK_SECRETS",
            "old-key-0123456789, new-key-0123456789",
        ),
        (
            "SHAQ_BRIDGE__SHOPS__KENTE__WRITE_BACK__TOKEN",
            "shpat_from_env",
        ),
        ("SHAQ_BRIDGE__SHOPS__ATLAS__WRITE_BACK__ENABLED", "true"),
        (
            "SHAQ_BRIDGE__SHOPS__ATLAS__WRITE_BACK__ADMIN_URL",
            "https://shop.atlas-wax.com.gh",
        ),
        (
            "SHAQ_BRIDGE__SHOPS__ATLAS__WRITE_BACK__CONSUMER_KEY",
            "ck_env",
        ),
        ("SHAQ_BRIDGE__SHOPS__ATLAS__WRITE_BACK__TOKEN", "cs_env"),
    ])
    .expect("valid");
    let kente = &settings.shops[0];
    let secrets: Vec<&str> = kente
        .webhook_secrets
        .iter()
        .map(|s| s.expose_secret())
        .collect();
    assert_eq!(secrets, ["old-key-0123456789", "new-key-0123456789"]);
    assert_eq!(
        kente.write_back.token.as_ref().map(|t| t.expose_secret()),
        Some("shpat_from_env")
    );
    let atlas = &settings.shops[1];
    assert!(atlas.write_back.enabled);
    assert_eq!(
        atlas.write_back.token.as_ref().map(|t| t.expose_secret()),
        Some("cs_env")
    );
}

#[test]
fn a_secret_of_digits_stays_text() {
    // Atlas's file has no token: nothing says the value is text but its name.
    let settings = example(&[(
        "SHAQ_BRIDGE__SHOPS__ATLAS__WRITE_BACK__TOKEN",
        "12345678901234567",
    )])
    .expect("valid");
    assert_eq!(
        settings.shops[1]
            .write_back
            .token
            .as_ref()
            .map(|t| t.expose_secret()),
        Some("12345678901234567")
    );
}

#[test]
fn a_shop_variable_for_no_shop_is_refused_by_name() {
    let error =
        example(&[("SHAQ_BRIDGE__SHOPS__NOPE__WEBHOOK_SECRETS", "x")]).expect_err("no such shop");
    let message = error.to_string();
    assert!(
        message.contains("SHAQ_BRIDGE__SHOPS__NOPE__WEBHOOK_SECRETS: no shop with the id `nope`"),
        "{message}"
    );
    let error = example(&[("SHAQ_BRIDGE__SHOPS__KENTE", "x")]).expect_err("no key");
    assert!(error.to_string().contains("<SHOP ID>__<KEY>"), "{error}");
}

#[test]
fn secrets_come_from_files_in_the_file_or_the_environment() {
    let dir = tempfile::tempdir().expect("tempdir");
    let write = |name: &str, content: &str| {
        let path = dir.path().join(name);
        std::fs::write(&path, content).expect("write");
        path.display().to_string()
    };
    let shaq_secret = write("shaq", "from-a-file\n");
    let shop_keys = write("kente", "first-key-0123456789\nsecond-key-0123456789\n\n");
    let token = write("token", "shpat_from_a_file");
    let text = example_text().replace(
        "token = \"shpat_your_admin_api_token\"",
        &format!("token_file = \"{token}\""),
    );
    let file = dir.path().join("bridge.toml");
    std::fs::write(&file, text).expect("write");
    let settings = Settings::load_with_env(
        Some(&file),
        env(&[
            ("SHAQ_BRIDGE__SHAQ__SECRET_FILE", &shaq_secret),
            (
                "SHAQ_BRIDGE__SHOPS__KENTE__WEBHOOK_SECRETS_FILE",
                &shop_keys,
            ),
        ]),
    )
    .expect("valid");
    assert_eq!(settings.shaq.secret.expose_secret(), "from-a-file");
    let keys: Vec<&str> = settings.shops[0]
        .webhook_secrets
        .iter()
        .map(|s| s.expose_secret())
        .collect();
    assert_eq!(keys, ["first-key-0123456789", "second-key-0123456789"]);
    assert_eq!(
        settings.shops[0]
            .write_back
            .token
            .as_ref()
            .map(|t| t.expose_secret()),
        Some("shpat_from_a_file")
    );

    let error = Settings::load_with_env(
        Some(&file),
        env(&[(
            "SHAQ_BRIDGE__DIGISHARE__ACCESS_TOKEN_FILE",
            "/nonexistent/token",
        )]),
    )
    .expect_err("missing file");
    assert!(
        error
            .to_string()
            .contains("digishare.access_token_file: cannot read /nonexistent/token"),
        "{error}"
    );
}

/// The Kubernetes manifests' settings (ConfigMap) with their Secret's variables: as shipped
/// they are refused, each `fill-me-in` named (no usable default secret); filled in, they make
/// a valid configuration — what `kubectl apply -k deploy/kubernetes` would start.
#[test]
fn the_kubernetes_configmap_and_secret_run_only_once_filled_in() {
    let deploy = concat!(env!("CARGO_MANIFEST_DIR"), "/../../deploy/kubernetes/");
    let configmap = std::fs::read_to_string(format!("{deploy}configmap.yaml")).expect("configmap");
    let toml: String = configmap
        .split_once("bridge.toml: |\n")
        .expect("a bridge.toml key")
        .1
        .lines()
        .map(|line| line.strip_prefix("    ").unwrap_or(line))
        .collect::<Vec<_>>()
        .join("\n");
    let secret = std::fs::read_to_string(format!("{deploy}secret.example.yaml")).expect("secret");
    let variables: Vec<(String, String)> = secret
        .split_once("stringData:\n")
        .expect("stringData")
        .1
        .lines()
        .filter_map(|line| line.trim().split_once(": "))
        .map(|(key, value)| (key.to_owned(), value.to_owned()))
        .collect();
    assert!(variables.len() >= 8, "{variables:?}");
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("bridge.toml");
    std::fs::write(&file, &toml).expect("write");
    let shipped = Settings::load_with_env(Some(&file), variables.clone())
        .expect_err("placeholders")
        .to_string();
    for key in [
        "database.url",
        "server.admin_token",
        "server.public_url",
        "shaq.secret",
        "digishare.statuses.confirmed",
        "shops[0].write_back.admin_url",
    ] {
        assert!(
            shipped.contains(&format!("{key} is still a placeholder")),
            "{key}: {shipped}"
        );
    }
    // Filled in, each value its own (as a merchant does).
    let mut counter = 0;
    let mut fill = |text: &str| {
        let mut out = String::new();
        let mut rest = text;
        while let Some(at) = rest.find("fill-me-in") {
            counter += 1;
            out.push_str(&rest[..at]);
            out.push_str(&format!("filled{counter:02}value0123456789"));
            rest = &rest[at + "fill-me-in".len()..];
        }
        out.push_str(rest);
        out
    };
    std::fs::write(&file, fill(&toml)).expect("write");
    let filled: Vec<(String, String)> = variables
        .iter()
        .map(|(key, value)| (key.clone(), fill(value)))
        .collect();
    let settings = Settings::load_with_env(Some(&file), filled).expect("valid once filled in");
    assert_eq!(
        settings.database.backend(),
        Ok(bridge_core::store::Backend::Postgres)
    );
}

#[test]
fn a_shops_confirmation_schedule_is_read_and_checked() {
    let text = example_text();
    let with = |extra: &str| {
        Settings::from_toml(&text.replacen(
            "prepaid_skips_confirmation = true\n",
            &format!("prepaid_skips_confirmation = true\n{extra}"),
            1,
        ))
    };
    let settings = with(
        "[shops.confirmation]\nreminders = [\"2h\", \"20h\"]\nconfirm_within = \"30h\"\n\
         on_no_answer = \"cancel\"\nquiet_hours = \"21:00-08:00\"\n\
         [shops.digishare.statuses]\nreminder_1 = \"r3m1nd3r0000001a\"\n\
         reminder_2 = \"r3m1nd3r0000002b\"\n",
    )
    .expect("valid");
    let shared = bridge_core::shop::SharedRules {
        confirmation_timeout: Some(settings.workflow.confirmation_timeout),
        service_countries: &[],
        region_aliases: &Default::default(),
        statuses: &settings.digishare.statuses,
    };
    let policy = settings.shops[0].policy(&shared).confirmation;
    assert_eq!(
        policy.reminders,
        [
            Duration::from_secs(2 * 3600),
            Duration::from_secs(20 * 3600)
        ]
    );
    assert_eq!(policy.confirm_within, Some(Duration::from_secs(30 * 3600)));
    assert_eq!(
        policy.on_no_answer,
        bridge_core::workflow::confirmation::NoAnswer::Cancel
    );
    assert_eq!(
        policy.quiet_hours.map(|quiet| quiet.to_string()).as_deref(),
        Some("21:00-08:00")
    );

    let error = with(
        "[shops.confirmation]\nreminders = [\"20h\", \"2h\", \"60h\"]\nquiet_hours = \"9pm-8am\"\n",
    )
    .expect_err("invalid");
    let message = error.to_string();
    for needle in [
        "shops[0].confirmation.reminders must be in increasing order",
        "shops[0].confirmation.reminders: the last one comes after the order stops waiting",
        "shops[0].confirmation.quiet_hours: `9pm` is not a time of day",
        "no ticket status `reminder_3`",
    ] {
        assert!(message.contains(needle), "`{needle}` not in: {message}");
    }
    assert!(
        !message.contains("`reminder_1`"),
        "the example maps reminder_1: {message}"
    );
}

#[test]
fn invalid_values_name_their_keys() {
    let error = example(&[
        ("SHAQ_BRIDGE__WORKERS__CONCURRENCY", "0"),
        ("SHAQ_BRIDGE__DATABASE__URL", "mysql://nope"),
        ("SHAQ_BRIDGE__SERVER__ADMIN_TOKEN", "short"),
        ("SHAQ_BRIDGE__SHAQ__IDENTIFIER", " "),
        ("SHAQ_BRIDGE__SHAQ__SOURCE_COUNTRY_ISO2", "Ghana"),
    ])
    .expect_err("invalid");
    let message = error.to_string();
    for key in [
        "workers.concurrency",
        "database.url",
        "server.admin_token",
        "shaq.identifier is empty",
        "shaq.source_country_iso2",
    ] {
        assert!(message.contains(key), "{key} not named in: {message}");
    }
}

#[test]
fn per_shop_overrides_are_checked_and_laid_over_the_globals() {
    let text = example_text();
    let with = |shop_extra: &str| {
        let text = text.replacen(
            "prepaid_skips_confirmation = true\n",
            &format!("prepaid_skips_confirmation = true\n{shop_extra}"),
            1,
        );
        Settings::from_toml(&text)
    };
    let error = with(
        "time_zone = \"Mars/Olympus\"\ndefault_region = \" \"\n[shops.shaq]\nidentifier = \"brand2\"\n",
    )
    .expect_err("invalid");
    let message = error.to_string();
    for key in [
        "shops[0].time_zone `Mars/Olympus`",
        "shops[0].default_region is empty",
        "shops[0].shaq.identifier and shops[0].shaq.secret go together",
    ] {
        assert!(message.contains(key), "{key} not named in: {message}");
    }
    let settings = with(
        "[shops.shaq]\nsource_address_line_1 = \"Tema warehouse\"\n[shops.digishare]\ntype_ticket_id = \"brand2type\"\n",
    )
    .expect("valid");
    let shop = &settings.shops[0];
    let shaq = settings.shaq.for_shop(&shop.shaq);
    assert_eq!(shaq.source_address_line_1, "Tema warehouse");
    assert_eq!(
        shaq.identifier, settings.shaq.identifier,
        "the same account"
    );
    let digishare = settings.digishare.for_shop(&shop.digishare);
    assert_eq!(digishare.type_ticket_id, "brand2type");
    assert_eq!(digishare.statuses, settings.digishare.statuses);
    let other = &settings.shops[1];
    assert_eq!(
        settings.shaq.for_shop(&other.shaq).source_address_line_1,
        settings.shaq.source_address_line_1,
        "a shop without overrides keeps [shaq]"
    );
}

#[test]
fn unknown_keys_in_a_file_are_refused() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("bridge.toml");
    let mut text = example_text();
    text = text.replace("[server]\n", "[server]\nlisen = \"typo\"\n");
    std::fs::write(&path, text).expect("write");
    let error = Settings::load_with_env(Some(&path), env(&[])).expect_err("typo refused");
    assert!(error.to_string().contains("lisen"), "{error}");
}

#[test]
fn secrets_never_show_in_debug_or_printed_config() {
    let secrets = [
        "an-admin-token-of-32-characters!",
        "shaq-partner-secret-value",
        "digishare-personal-access-token",
    ];
    let settings = example(&[
        ("SHAQ_BRIDGE__SERVER__ADMIN_TOKEN", secrets[0]),
        ("SHAQ_BRIDGE__SHAQ__SECRET", secrets[1]),
        ("SHAQ_BRIDGE__DIGISHARE__ACCESS_TOKEN", secrets[2]),
        (
            "SHAQ_BRIDGE__DATABASE__URL",
            "postgres://bridge:pg-password@db/bridge",
        ),
    ])
    .expect("valid");
    let debug = format!("{settings:?}");
    let printed = settings.to_redacted_toml();
    for shown in [&debug, &printed] {
        for secret in secrets.iter().chain(&["pg-password"]) {
            assert!(!shown.contains(secret), "{secret} leaked in {shown}");
        }
    }
    assert!(
        printed.contains("admin_token = \"[redacted]\""),
        "{printed}"
    );
    assert!(printed.contains("[workers.retry]"), "{printed}");
}

#[test]
fn a_missing_settings_file_is_named_not_found_and_a_directory_is_not_called_missing() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("nope.toml");
    let error = Settings::load_with_env(Some(&missing), Vec::new())
        .unwrap_err()
        .to_string();
    assert!(error.contains("nope.toml: not found"), "{error}");
    // Whatever else stops the file being read is said as the system says it.
    let error = Settings::load_with_env(Some(dir.path()), Vec::new())
        .unwrap_err()
        .to_string();
    assert!(error.contains("is a directory"), "{error}");
}

/// A Shopify Dev Dashboard app: client id and secret instead of a token, and no webhook secret
/// (Shopify signs the app's webhooks with its client secret). One kind of credentials, on
/// Shopify only.
#[test]
fn a_dev_dashboard_app_needs_its_client_id_and_secret_and_nothing_else() {
    let app = [
        (
            "SHAQ_BRIDGE__SHOPS__KENTE__WRITE_BACK__CLIENT_ID",
            "3f9a0c1e",
        ),
        (
            "SHAQ_BRIDGE__SHOPS__KENTE__WRITE_BACK__CLIENT_SECRET",
            "shpss_0123456789abcdef",
        ),
    ];
    let text = example_text()
        .replace("token = \"shpat_your_admin_api_token\"", "")
        .replace("webhook_secrets = [\"your-shopify-webhook-key\"]", "");
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bridge.toml");
    std::fs::write(&path, text).unwrap();
    let settings = Settings::load_with_env(Some(&path), env(&app)).expect("a Dev Dashboard app");
    let kente = &settings.shops[0];
    assert!(kente.webhook_secrets.is_empty());
    assert_eq!(
        kente.signing_secrets().count(),
        1,
        "its client secret verifies webhooks"
    );
    assert!(matches!(
        kente.admin_client(&shop_client::Timeouts::default()),
        Ok(Some(shop_client::ShopClient::Shopify(_)))
    ));

    // Both kinds at once, half an app, or an app on WooCommerce: refused, naming the key.
    let both = example(&app).expect_err("token and client credentials");
    assert!(
        both.to_string()
            .contains("shops[0].write_back: give either token"),
        "{both}"
    );
    let half = Settings::load_with_env(Some(&path), env(&app[..1])).expect_err("no client secret");
    assert!(
        half.to_string()
            .contains("needs both client_id and client_secret"),
        "{half}"
    );
    let woo = example(&[("SHAQ_BRIDGE__SHOPS__ATLAS__WRITE_BACK__CLIENT_ID", "x")])
        .expect_err("not Shopify");
    assert!(
        woo.to_string().contains("shops[1].write_back.client_id"),
        "{woo}"
    );
    // Without the app, a Shopify shop still needs its webhook key.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bridge.toml");
    std::fs::write(
        &path,
        example_text().replace("webhook_secrets = [\"your-shopify-webhook-key\"]", ""),
    )
    .unwrap();
    let error = Settings::load_with_env(Some(&path), Vec::new()).expect_err("no webhook key");
    assert!(
        error
            .to_string()
            .contains("shops[0].webhook_secrets is empty"),
        "{error}"
    );
}

/// An operator's console language is one the catalogues speak; another is refused, naming it.
#[test]
fn an_operators_language_is_ar_fr_or_en() {
    let hash = crate::sign_in::hash_password("a long password for Salma").unwrap();
    let with = |language: &str| {
        format!(
            "{}\n[[console.operators]]\nname = \"salma\"\npassword_hash = \"{hash}\"\nlanguage = \"{language}\"\n",
            example_text()
        )
    };
    let settings = Settings::from_toml(&with("ar")).expect("Arabic");
    assert_eq!(
        settings.console.operators[0].language.as_deref(),
        Some("ar")
    );
    let error = Settings::from_toml(&with("de"))
        .expect_err("German")
        .to_string();
    assert!(
        error.contains("console.operators[0].language must be ar, fr or en"),
        "{error}"
    );
}
