//! What the job executors call with: the store, each configured shop's clients and settings,
//! Digishare, and ShaQ's region list (cached).

use std::collections::HashMap;
use std::time::{Duration, Instant};

use digishare_client::DigishareClient;
use outbound_http::{Upstream, UpstreamConfig};
use shaq_client::{Region, ShaqClient};
use shop_client::ShopClient;
use tokio::sync::Mutex;

use crate::domain::{OrderKey, ShopId};
use crate::notify::NoticePoster;
use crate::settings::{DigishareSettings, ShaqSettings};
use crate::shop::ShopSettings;
use crate::store::Store;
use crate::workflow::{JobError, TrackedOrder};

/// How long the region list is trusted before it is fetched again.
const REGIONS_TTL: Duration = Duration::from_secs(6 * 3600);

/// A configured shop at run time: its settings with its overrides of `[shaq]` and
/// `[digishare]` applied, and the clients its jobs call.
pub struct ShopRuntime {
    /// The shop's settings.
    pub settings: ShopSettings,
    /// Its ShaQ account (`[shaq]`'s, shared, unless the shop has its own).
    pub shaq: ShaqClient,
    /// `[shaq]` with the shop's overrides (pickup address, package defaults…).
    pub shaq_settings: ShaqSettings,
    /// `[digishare]` with the shop's overrides (ticket type, status ids…).
    pub digishare_settings: DigishareSettings,
    /// Its admin API, when it writes back.
    pub writer: Option<ShopClient>,
    /// Its ShaQ account's bulk coalescer, when `[shaq.bulk]` is on.
    pub bulk: Option<super::bulk::BulkCreator>,
}

/// What the executors call with: the store, the shops and the upstream clients.
pub struct Services {
    pub(in crate::jobs) store: Store,
    pub(in crate::jobs) digishare: DigishareClient,
    shops: HashMap<ShopId, ShopRuntime>,
    /// Label PDFs are downloaded from wherever ShaQ's answer points.
    pub(in crate::jobs) downloads: Upstream,
    /// ShaQ's region list is the same for every account: it is fetched with `[shaq]`'s.
    regions_from: ShaqClient,
    regions: Mutex<Option<(Instant, Vec<Region>)>>,
    /// Where notices for people go (`[alerts].notify_url`), when set.
    notices: Option<NoticePoster>,
}

impl Services {
    /// The services the settings describe.
    pub fn new(
        store: Store,
        shaq: ShaqClient,
        digishare: DigishareClient,
        shops: HashMap<ShopId, ShopRuntime>,
    ) -> Result<Services, String> {
        let downloads = Upstream::new(UpstreamConfig::new("the label host", ""))
            .map_err(|e| format!("HTTP client: {e}"))?;
        Ok(Services {
            store,
            digishare,
            shops,
            downloads,
            regions_from: shaq,
            regions: Mutex::new(None),
            notices: None,
        })
    }

    /// Notices for people are posted with `poster`.
    pub fn with_notices(mut self, poster: NoticePoster) -> Services {
        self.notices = Some(poster);
        self
    }

    /// Where notices go, or a permanent failure if `[alerts].notify_url` was removed.
    pub(in crate::jobs) fn notices(&self) -> Result<&NoticePoster, JobError> {
        self.notices
            .as_ref()
            .ok_or_else(|| JobError::permanent("alerts.notify_url is no longer configured"))
    }

    /// A configured shop, or a permanent failure if it was removed from the settings.
    pub(in crate::jobs) fn shop(&self, shop: &ShopId) -> Result<&ShopRuntime, JobError> {
        self.shops
            .get(shop)
            .ok_or_else(|| JobError::permanent(format!("shop `{shop}` is no longer configured")))
    }

    /// ShaQ's regions, cached for a few hours.
    pub(in crate::jobs) async fn regions(&self) -> Result<Vec<Region>, JobError> {
        let mut cache = self.regions.lock().await;
        if let Some((fetched, regions)) = cache.as_ref()
            && fetched.elapsed() < REGIONS_TTL
        {
            return Ok(regions.clone());
        }
        let regions = self.regions_from.regions().await?;
        *cache = Some((Instant::now(), regions.clone()));
        Ok(regions)
    }

    /// The job's order as stored now.
    pub(in crate::jobs) async fn order(&self, key: &OrderKey) -> Result<TrackedOrder, JobError> {
        self.store
            .order(key)
            .await
            .map_err(|e| JobError::retryable(format!("reading the order: {e}")))?
            .ok_or_else(|| JobError::permanent(format!("order {key} is not stored")))
    }
}
