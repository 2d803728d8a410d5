//! Bulk creation: `create_package` jobs running at the same moment (a flash sale, a backlog
//! after an outage) hand their packages to one coalescer per ShaQ account, which sends them in
//! one bulk call when enough wait together. Each job still finishes on its own: a package the
//! bulk answer names is created; any other (fewer waiting than `min_batch`, an item the answer
//! leaves out, a refused or failed call) goes the single way, which adopts a package the bulk
//! call did make (by its `partner_ref`), so nothing is created twice.

use std::collections::HashMap;

use shaq_client::{NewPackage, Package, ShaqClient};
use tokio::sync::{mpsc, oneshot};

use crate::settings::BulkSettings;

/// What became of a package handed to the coalescer.
#[derive(Debug)]
pub(super) enum Bulked {
    /// The bulk call created it.
    Created(Box<Package>),
    /// Not created in bulk: create it singly.
    Single,
}

type Request = (NewPackage, oneshot::Sender<Bulked>);

/// The coalescer of one ShaQ account. Cheap to clone.
#[derive(Clone)]
pub struct BulkCreator {
    requests: mpsc::Sender<Request>,
}

impl BulkCreator {
    /// Starts the coalescer (on the current runtime).
    pub fn spawn(client: ShaqClient, settings: BulkSettings) -> BulkCreator {
        let (requests, receiver) = mpsc::channel(settings.max_batch.max(1) * 4);
        tokio::spawn(run(client, settings, receiver));
        BulkCreator { requests }
    }

    /// Hands `package` over and waits for its batch's answer.
    pub(super) async fn create(&self, package: NewPackage) -> Bulked {
        let (answer, wait) = oneshot::channel();
        if self.requests.send((package, answer)).await.is_err() {
            return Bulked::Single;
        }
        wait.await.unwrap_or(Bulked::Single)
    }
}

async fn run(client: ShaqClient, settings: BulkSettings, mut receiver: mpsc::Receiver<Request>) {
    while let Some(first) = receiver.recv().await {
        let mut batch = vec![first];
        let deadline = tokio::time::Instant::now() + settings.window;
        while batch.len() < settings.max_batch {
            match tokio::time::timeout_at(deadline, receiver.recv()).await {
                Ok(Some(request)) => batch.push(request),
                Ok(None) | Err(_) => break,
            }
        }
        if batch.len() < settings.min_batch {
            for (_, answer) in batch {
                let _ = answer.send(Bulked::Single);
            }
            continue;
        }
        // The call runs beside the next batch's gathering.
        let client = client.clone();
        tokio::spawn(send(client, batch));
    }
}

async fn send(client: ShaqClient, batch: Vec<Request>) {
    let packages: Vec<NewPackage> = batch.iter().map(|(package, _)| package.clone()).collect();
    let size = packages.len();
    let created: HashMap<String, Package> = match client.bulk_create(&packages).await {
        Ok(created) => created
            .into_iter()
            .map(|package| (package.partner_ref.clone(), package))
            .collect(),
        Err(error) => {
            tracing::warn!(%error, packages = size, "ShaQ bulk create failed: creating them one by one");
            HashMap::new()
        }
    };
    metrics::counter!("bridge_shaq_bulk_packages_total", "outcome" => "created")
        .increment(created.len() as u64);
    metrics::counter!("bridge_shaq_bulk_packages_total", "outcome" => "single")
        .increment((size - created.len().min(size)) as u64);
    let mut created = created;
    for (package, answer) in batch {
        let outcome = created
            .remove(&package.partner_ref)
            .map_or(Bulked::Single, |p| Bulked::Created(Box::new(p)));
        let _ = answer.send(outcome);
    }
}
