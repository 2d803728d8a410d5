//! `sandbox`: the ShaQ, Digishare and shop simulators, for trying the bridge without accounts.

use std::path::PathBuf;

use anyhow::Context;

use super::setup::write_private;
use crate::startup::shutdown_signal;

pub(super) async fn sandbox(
    config: Option<PathBuf>,
    bridge_url: Option<String>,
    write_bridge_config: Option<PathBuf>,
) -> anyhow::Result<()> {
    use bridge_sandbox::bridge_config::{
        BridgeConfig, SANDBOX_ADMIN_TOKEN, SHOPIFY_WEBHOOK_SECRET, Shop,
    };
    let config: bridge_sandbox::SandboxConfig = match config {
        Some(path) => {
            let text = std::fs::read_to_string(&path)
                .with_context(|| format!("reading {}", path.display()))?;
            toml::from_str(&text).with_context(|| format!("parsing {}", path.display()))?
        }
        None => bridge_sandbox::SandboxConfig::default(),
    };
    let bridge = bridge_url
        .as_deref()
        .map(|url| {
            let url = url.trim_end_matches('/').to_owned();
            let parsed = reqwest::Url::parse(&url).context("--bridge-url")?;
            let host = parsed
                .host_str()
                .context("--bridge-url has no host")?
                .to_owned();
            let port = parsed
                .port_or_known_default()
                .context("--bridge-url has no port")?;
            anyhow::Ok((url, format!("{host}:{port}")))
        })
        .transpose()?;
    let shaq_login = (config.shaq.identifier.clone(), config.shaq.secret.clone());
    let digishare_token = config.digishare.access_token.clone();
    let sandbox = bridge_sandbox::Sandbox::start(config).await?;
    let settings = BridgeConfig::for_sandbox(&sandbox, "sqlite://data/sandbox.db")
        .listen(
            bridge
                .as_ref()
                .map_or("127.0.0.1:8080", |(_, listen)| listen.as_str()),
        )
        .admin_token(SANDBOX_ADMIN_TOKEN)
        .shop(Shop::shopify("kente", SHOPIFY_WEBHOOK_SECRET).writes_back_to(&sandbox))
        .to_toml();
    if let Some((url, _)) = &bridge {
        sandbox.send_webhooks_to(url);
        sandbox.shops.send_orders_to(
            &format!("{url}/webhooks/shops/kente"),
            SHOPIFY_WEBHOOK_SECRET,
        );
    }
    let (shaq, digishare, shop) = (
        sandbox.shaq_url(),
        sandbox.digishare_url(),
        sandbox.shop_url(),
    );
    // The control routes (`/_sandbox/…`) sit at the simulators' roots, beside their APIs.
    let root = |url: &str| {
        reqwest::Url::parse(url)
            .map(|url| url.origin().ascii_serialization())
            .unwrap_or_else(|_| url.to_owned())
    };
    let (shaq_root, digishare_root, shop_root) = (root(&shaq), root(&digishare), root(&shop));
    println!(
        "ShaQ simulator       {shaq}\n\
         \x20 login: identifier `{}`, secret `{}`\n\
         Digishare simulator  {digishare}\n\
         \x20 access token `{digishare_token}`; ticket type and status ids as in config/example.toml\n\
         Shop admin APIs      {shop}\n\
         \x20 Shopify token `shpat_sandbox`; WooCommerce `ck_sandbox` / `cs_sandbox`\n\
         \x20 the Shopify shop `kente` signs its webhooks with `{SHOPIFY_WEBHOOK_SECRET}`",
        shaq_login.0, shaq_login.1
    );
    match &bridge {
        Some((url, _)) => {
            println!("Webhooks go to       {url} (ShaQ, Digishare, and the shop `kente`)");
            println!(
                "Console              {url}/console (once the bridge runs)\n\
                 \x20 sign in as `admin`, password `{SANDBOX_ADMIN_TOKEN}`"
            );
        }
        None => println!(
            "Webhooks go nowhere: pass --bridge-url http://127.0.0.1:8080 to send them to a bridge\n\
             Console              http://127.0.0.1:8080/console once the bridge runs; sign in as \
             `admin`, password `{SANDBOX_ADMIN_TOKEN}`"
        ),
    }
    match &write_bridge_config {
        Some(path) => {
            write_private(path, &settings)?;
            println!(
                "\nBridge settings written to {}: run\n  shaq-bridge serve --config {0}",
                path.display()
            );
        }
        None => println!(
            "\nBridge settings for these simulators (save as sandbox.toml, then \
             `shaq-bridge serve --config sandbox.toml`):\n\n{settings}"
        ),
    }
    println!(
        "Try:\n\
         \x20 curl -X POST {shop_root}/_sandbox/orders                  # a customer orders (COD)\n\
         \x20 curl -X POST {shop_root}/_sandbox/orders -H 'content-type: application/json' -d '{{\"city\":\"Xyzzyville\",\"region\":\"Nowhere\"}}'   # one the console must fix\n\
         \x20 curl {digishare_root}/_sandbox/tickets                     # the tickets and their ids\n\
         \x20 curl -X POST {digishare_root}/_sandbox/tickets/<id>/answer -H 'content-type: application/json' -d '{{\"answer\":\"confirm\"}}'\n\
         \x20 curl {shaq_root}/_sandbox/packages                         # the packages and their partner refs\n\
         \x20 curl -X POST {shaq_root}/_sandbox/packages/<partner ref>/status -H 'content-type: application/json' -d '{{\"status\":\"delivered\"}}'\n\
         \x20 curl {shop_root}/_sandbox/received                        # what the bridge wrote back to the shop\n\
         Ctrl-C to stop."
    );
    shutdown_signal().await;
    sandbox.shutdown();
    Ok(())
}
