//! Which webhooks the bridge needs from each shop, and how the shop's own list compares: what
//! `shaq-bridge connect` makes or repoints and `check-config --online` reports.

use secrecy::ExposeSecret;
use shop_client::{Subscription, WantedSubscription};

use crate::settings::{Platform, ShopSettings};

/// The topics the bridge reads, as each platform's subscription API spells them. Shopify:
/// orders (`orders/updated` also carries edits and payments) and approved returns; WooCommerce:
/// orders created, changed and deleted; YouCan: its one order event.
pub fn topics(platform: Platform) -> &'static [&'static str] {
    match platform {
        Platform::Shopify => &[
            "ORDERS_CREATE",
            "ORDERS_UPDATED",
            "ORDERS_CANCELLED",
            "RETURNS_APPROVE",
        ],
        Platform::Woocommerce => &["order.created", "order.updated", "order.deleted"],
        Platform::Youcan => &["order.create"],
        Platform::Generic => &[],
    }
}

/// The name WooCommerce shows for the webhooks the bridge makes (and how it knows them again).
pub const NAME_PREFIX: &str = "shaq-bridge";

/// The bridge's webhook address for `shop` under its public address.
pub fn webhook_url(public_url: &str, shop: &ShopSettings) -> String {
    format!(
        "{}/webhooks/shops/{}",
        public_url.trim_end_matches('/'),
        shop.id.as_str()
    )
}

/// What the bridge asks `shop` to send, addressed under `public_url`. WooCommerce webhooks are
/// signed with the shop's first `webhook_secrets` entry (the one `setup` generated); Shopify
/// and YouCan sign with the app's client secret, which is not the caller's to choose.
pub fn wanted(shop: &ShopSettings, public_url: &str) -> Vec<WantedSubscription> {
    let url = webhook_url(public_url, shop);
    let secret = (shop.platform == Platform::Woocommerce)
        .then(|| shop.webhook_secrets.first().cloned())
        .flatten();
    topics(shop.platform)
        .iter()
        .map(|topic| WantedSubscription {
            topic: (*topic).to_owned(),
            url: url.clone(),
            name: format!("{NAME_PREFIX} {} {topic}", shop.id.as_str()),
            secret: secret.clone(),
        })
        .collect()
}

/// How one wanted webhook stands in the shop's list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Standing {
    /// The shop sends it to the bridge.
    Registered(Subscription),
    /// The shop does not send it.
    Missing,
    /// The bridge's subscription points at another address (an old public URL, another shop's
    /// path) or is paused: `--fix` repoints it.
    Elsewhere(Subscription),
}

/// One wanted webhook and how it stands.
#[derive(Debug, Clone)]
pub struct Check {
    /// What the bridge needs.
    pub wanted: WantedSubscription,
    /// What the shop has.
    pub standing: Standing,
}

/// Each wanted webhook against the shop's list. A subscription counts as the bridge's when it
/// has the topic and — except on Shopify, where an app sees only its own — the bridge's name
/// (WooCommerce) or a `/webhooks/shops/<id>` path: a plugin's or Zapier's hook on the same topic
/// is someone else's and left alone.
pub fn compare(
    shop: &ShopSettings,
    wanted: Vec<WantedSubscription>,
    existing: &[Subscription],
) -> Vec<Check> {
    let path = format!("/webhooks/shops/{}", shop.id.as_str());
    let name = format!("{NAME_PREFIX} {} ", shop.id.as_str());
    let ours = |s: &Subscription| match shop.platform {
        Platform::Shopify => true,
        _ => {
            s.name.as_deref().is_some_and(|n| n.starts_with(&name))
                || url_path(&s.url).ends_with(&path)
        }
    };
    wanted
        .into_iter()
        .map(|wanted| {
            let candidates: Vec<&Subscription> = existing
                .iter()
                .filter(|s| s.topic.eq_ignore_ascii_case(&wanted.topic) && ours(s))
                .collect();
            let standing = if let Some(good) = candidates
                .iter()
                .find(|s| s.active && same_url(&s.url, &wanted.url))
            {
                Standing::Registered((*good).clone())
            } else if let Some(wrong) = candidates.first() {
                Standing::Elsewhere((*wrong).clone())
            } else {
                Standing::Missing
            };
            Check { wanted, standing }
        })
        .collect()
}

fn url_path(url: &str) -> String {
    url::Url::parse(url)
        .map(|u| u.path().trim_end_matches('/').to_owned())
        .unwrap_or_default()
}

fn same_url(a: &str, b: &str) -> bool {
    a.trim_end_matches('/') == b.trim_end_matches('/')
}

/// The secret to show nowhere: only whether a WooCommerce webhook will be signed.
pub fn signed(wanted: &WantedSubscription) -> bool {
    wanted
        .secret
        .as_ref()
        .is_some_and(|s| !s.expose_secret().is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shop(platform: &str) -> ShopSettings {
        serde_json::from_value(serde_json::json!({
            "id": "atlas", "platform": platform, "webhook_secrets": ["woo-secret-0123456789"],
        }))
        .expect("a shop")
    }

    fn existing(topic: &str, url: &str, name: Option<&str>, active: bool) -> Subscription {
        Subscription {
            id: format!("{topic}-{url}"),
            topic: topic.to_owned(),
            url: url.to_owned(),
            active,
            name: name.map(str::to_owned),
        }
    }

    #[test]
    fn registered_missing_and_elsewhere_and_someone_elses_hook_left_alone() {
        let woo = shop("woocommerce");
        let wanted = wanted(&woo, "https://bridge.kente.test/");
        assert_eq!(wanted.len(), 3);
        assert_eq!(
            wanted[0].url,
            "https://bridge.kente.test/webhooks/shops/atlas"
        );
        assert!(signed(&wanted[0]));
        let list = [
            existing(
                "order.created",
                "https://bridge.kente.test/webhooks/shops/atlas",
                Some("shaq-bridge atlas order.created"),
                true,
            ),
            // The bridge's, at an old address.
            existing(
                "order.updated",
                "https://old-host.test/webhooks/shops/atlas",
                None,
                true,
            ),
            // A plugin's own hook on the same topic: not the bridge's.
            existing("order.deleted", "https://crm.test/hook", Some("CRM"), true),
        ];
        let checks = compare(&woo, wanted, &list);
        assert!(matches!(checks[0].standing, Standing::Registered(_)));
        assert!(
            matches!(&checks[1].standing, Standing::Elsewhere(s) if s.url.contains("old-host"))
        );
        assert_eq!(checks[2].standing, Standing::Missing);
    }

    #[test]
    fn a_paused_woocommerce_webhook_is_to_fix_and_shopify_topics_are_its_enum() {
        let woo = shop("woocommerce");
        let url = "https://b.test/webhooks/shops/atlas";
        let checks = compare(
            &woo,
            wanted(&woo, "https://b.test"),
            &[existing("order.created", url, None, false)],
        );
        assert!(matches!(checks[0].standing, Standing::Elsewhere(_)));
        assert_eq!(topics(Platform::Shopify)[0], "ORDERS_CREATE");
        assert!(wanted(&shop("generic"), "https://b.test").is_empty());
        assert!(!signed(&wanted(&shop("youcan"), "https://b.test")[0]));
    }
}
