//! Outbound webhook delivery shared by the simulators: retries on non-2xx like the real
//! senders, and switches to duplicate, hold back (then shuffle) or lose deliveries.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use rand::SeedableRng;
use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use serde::Serialize;
use tokio::sync::Notify;

/// Where webhooks go.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebhookTarget {
    /// The URL.
    pub url: String,
    /// Headers added to every delivery (the secret).
    pub headers: Vec<(String, String)>,
}

/// One delivery as it ended.
#[derive(Debug, Clone, Serialize)]
pub struct Delivery {
    /// The body sent.
    pub body: serde_json::Value,
    /// The last status received (0: no answer).
    pub status: u16,
    /// How many attempts.
    pub attempts: u32,
    /// Dropped on purpose (`lose_next`).
    pub lost: bool,
}

#[derive(Debug, Default)]
struct State {
    target: Option<WebhookTarget>,
    deliveries: Vec<Delivery>,
    duplicate: bool,
    hold: bool,
    held: Vec<serde_json::Value>,
    lose_next: u32,
    in_flight: u32,
}

/// The sender.
#[derive(Debug, Clone)]
pub struct WebhookSender {
    state: Arc<Mutex<State>>,
    idle: Arc<Notify>,
    http: reqwest::Client,
    retries: u32,
}

impl WebhookSender {
    /// A sender with the given retry count (ShaQ: 3) and a 10 s timeout.
    pub fn new(retries: u32) -> Self {
        WebhookSender {
            state: Arc::default(),
            idle: Arc::new(Notify::new()),
            http: reqwest::Client::builder()
                .timeout(Duration::from_secs(10))
                .build()
                .unwrap_or_default(),
            retries,
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Sets the target.
    pub fn set_target(&self, target: WebhookTarget) {
        self.lock().target = Some(target);
    }

    /// Send every delivery twice.
    pub fn set_duplicate(&self, on: bool) {
        self.lock().duplicate = on;
    }

    /// Drop the next `n` deliveries (they are recorded as lost).
    pub fn lose_next(&self, n: u32) {
        self.lock().lose_next = n;
    }

    /// Hold deliveries back until [`WebhookSender::release_shuffled`].
    pub fn set_hold(&self, on: bool) {
        self.lock().hold = on;
    }

    /// Sends the held deliveries in a shuffled order (deterministic under `seed`).
    pub fn release_shuffled(&self, seed: u64) {
        let mut held = std::mem::take(&mut self.lock().held);
        held.shuffle(&mut StdRng::seed_from_u64(seed));
        for body in held {
            self.spawn(body);
        }
    }

    /// Every delivery so far.
    pub fn deliveries(&self) -> Vec<Delivery> {
        self.lock().deliveries.clone()
    }

    /// Queues a delivery.
    pub fn send(&self, body: serde_json::Value) {
        let (hold, duplicate, lose) = {
            let mut state = self.lock();
            let lose = state.lose_next > 0;
            if lose {
                state.lose_next -= 1;
            }
            (state.hold, state.duplicate, lose)
        };
        if lose {
            self.lock().deliveries.push(Delivery {
                body,
                status: 0,
                attempts: 0,
                lost: true,
            });
            return;
        }
        let copies = if duplicate { 2 } else { 1 };
        for _ in 0..copies {
            if hold {
                self.lock().held.push(body.clone());
            } else {
                self.spawn(body.clone());
            }
        }
    }

    fn spawn(&self, body: serde_json::Value) {
        let Some(target) = self.lock().target.clone() else {
            self.lock().deliveries.push(Delivery {
                body,
                status: 0,
                attempts: 0,
                lost: true,
            });
            return;
        };
        self.lock().in_flight += 1;
        let sender = self.clone();
        tokio::spawn(async move {
            let mut attempts = 0;
            let mut status = 0;
            while attempts <= sender.retries {
                attempts += 1;
                let mut request = sender.http.post(&target.url).json(&body);
                for (name, value) in &target.headers {
                    request = request.header(name, value);
                }
                status = match request.send().await {
                    Ok(response) => response.status().as_u16(),
                    Err(_) => 0,
                };
                if (200..300).contains(&status) {
                    break;
                }
                tokio::time::sleep(Duration::from_millis(200 * u64::from(attempts))).await;
            }
            let mut state = sender.lock();
            state.deliveries.push(Delivery {
                body,
                status,
                attempts,
                lost: false,
            });
            state.in_flight -= 1;
            drop(state);
            sender.idle.notify_waiters();
        });
    }

    /// Waits until no delivery is in flight.
    pub async fn wait_idle(&self) {
        loop {
            let notified = self.idle.notified();
            if self.lock().in_flight == 0 {
                return;
            }
            notified.await;
        }
    }
}
