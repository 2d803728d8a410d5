//! The shop's webhook subscriptions, read and made through its admin API: Shopify's GraphQL
//! `webhookSubscriptions` (an app's own subscriptions), WooCommerce's REST
//! `/wp-json/wc/v3/webhooks`, YouCan's REST hooks (`/resthooks/list`, `subscribe`,
//! `unsubscribe/{id}`).

use secrecy::SecretString;

/// A webhook the shop sends, as its API lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Subscription {
    /// The platform's id of the subscription.
    pub id: String,
    /// The topic as the platform spells it (`ORDERS_CREATE`, `order.created`, `order.create`).
    pub topic: String,
    /// Where the shop posts.
    pub url: String,
    /// The shop sends it (WooCommerce may hold a paused or disabled webhook).
    pub active: bool,
    /// Its name, where the platform names webhooks (WooCommerce).
    pub name: Option<String>,
}

/// A webhook the bridge asks the shop to send.
#[derive(Debug, Clone)]
pub struct WantedSubscription {
    /// The topic as the platform spells it.
    pub topic: String,
    /// The bridge's webhook address for this shop.
    pub url: String,
    /// Its name (WooCommerce shows it in its webhook list).
    pub name: String,
    /// The signing secret, where the platform lets the caller choose it (WooCommerce); Shopify
    /// and YouCan sign with the app's client secret.
    pub secret: Option<SecretString>,
}
