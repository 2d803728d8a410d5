//! Simulators of ShaQ Express, Digishare and the shops, over real HTTP, for the demo and the
//! end-to-end tests. They follow the specs field by field (validation, errors, webhooks) and can
//! inject faults deterministically. Test and demo tooling only: production never needs it.

// Handlers return `Result<Response, Response>`: both sides are HTTP answers, boxing them
// would only add noise.
#![allow(clippy::result_large_err)]

pub mod bridge_config;
pub mod digishare;
pub mod faults;
pub mod ports;
pub mod recording;
pub mod shaq;
pub mod shops;
pub mod webhooks;

use std::net::SocketAddr;

use serde::{Deserialize, Serialize};
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;

pub use bridge_config::{BridgeConfig, wait_for};
pub use digishare::{DigishareSim, DigishareSimConfig};
pub use shaq::{ShaqSim, ShaqSimConfig};
pub use shops::ShopSim;

/// Where the simulators listen and how they behave.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SandboxConfig {
    /// ShaQ's address (`127.0.0.1:0`: any free port).
    pub shaq_listen: Option<SocketAddr>,
    /// Digishare's address.
    pub digishare_listen: Option<SocketAddr>,
    /// The shops' admin APIs' address.
    pub shop_listen: Option<SocketAddr>,
    /// ShaQ's behaviour.
    pub shaq: ShaqSimConfig,
    /// Digishare's behaviour.
    pub digishare: DigishareSimConfig,
}

/// Running simulators.
pub struct Sandbox {
    /// ShaQ Express.
    pub shaq: ShaqSim,
    /// Digishare.
    pub digishare: DigishareSim,
    /// The shops' admin APIs.
    pub shops: ShopSim,
    shaq_addr: SocketAddr,
    digishare_addr: SocketAddr,
    shop_addr: SocketAddr,
    shutdown: CancellationToken,
}

fn any_port() -> SocketAddr {
    SocketAddr::from(([127, 0, 0, 1], 0))
}

async fn serve(
    router: axum::Router,
    address: SocketAddr,
    shutdown: CancellationToken,
) -> anyhow::Result<SocketAddr> {
    let listener = TcpListener::bind(address).await?;
    let bound = listener.local_addr()?;
    tokio::spawn(async move {
        let served = axum::serve(listener, router)
            .with_graceful_shutdown(shutdown.cancelled_owned())
            .await;
        if let Err(error) = served {
            tracing::error!(error = %error, "a simulator stopped");
        }
    });
    Ok(bound)
}

impl Sandbox {
    /// Starts the three simulators.
    pub async fn start(config: SandboxConfig) -> anyhow::Result<Sandbox> {
        let shutdown = CancellationToken::new();
        let shaq = ShaqSim::new(config.shaq);
        let digishare = DigishareSim::new(config.digishare);
        let shops = ShopSim::default();
        let shaq_addr = serve(
            shaq.router(),
            config.shaq_listen.unwrap_or_else(any_port),
            shutdown.clone(),
        )
        .await?;
        let digishare_addr = serve(
            digishare.router(),
            config.digishare_listen.unwrap_or_else(any_port),
            shutdown.clone(),
        )
        .await?;
        let shop_addr = serve(
            shops.router(),
            config.shop_listen.unwrap_or_else(any_port),
            shutdown.clone(),
        )
        .await?;
        Ok(Sandbox {
            shaq,
            digishare,
            shops,
            shaq_addr,
            digishare_addr,
            shop_addr,
            shutdown,
        })
    }

    /// ShaQ's API base (`http://127.0.0.1:PORT/api/v1`).
    pub fn shaq_url(&self) -> String {
        format!("http://{}/api/v1", self.shaq_addr)
    }

    /// Digishare's API base (`http://127.0.0.1:PORT/v1`).
    pub fn digishare_url(&self) -> String {
        format!("http://{}/v1", self.digishare_addr)
    }

    /// The shops' admin base (`http://127.0.0.1:PORT`).
    pub fn shop_url(&self) -> String {
        format!("http://{}", self.shop_addr)
    }

    /// Stops the simulators.
    pub fn shutdown(&self) {
        self.shutdown.cancel();
    }
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        self.shutdown.cancel();
    }
}
