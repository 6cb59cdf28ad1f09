//! The traffic loop: every tick it simulates the visits due and posts their impressions and
//! events to the server's own public ingestion API over HTTP, with an SDK key, as an SDK
//! would (batched, bearer-authenticated). It ends when told to stop.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use imprint_domain::definitions::{FlagDefinition, FlagStatus};
use rand::rngs::StdRng;
use rand::SeedableRng;
use serde_json::Value;
use tokio::sync::oneshot;

use super::visits::{visit, Visit};
use crate::actors::flags::Flags;

/// Posts go out this often; shorter ticks make a smoother live tail.
const TICK: Duration = Duration::from_millis(250);

/// What has been accepted so far, shown on the console.
#[derive(Debug, Default)]
pub struct Counters {
    pub impressions: AtomicU64,
    pub events: AtomicU64,
}

pub struct Simulation {
    pub base_url: String,
    pub sdk_key: String,
    pub environment_id: i64,
    pub visits_per_second: f64,
    pub flags: Flags,
    pub counters: Arc<Counters>,
}

impl Simulation {
    pub async fn run(self, mut stop: oneshot::Receiver<()>) {
        let client = match reqwest::Client::builder()
            .timeout(Duration::from_secs(10))
            .build()
        {
            Ok(client) => client,
            Err(e) => {
                tracing::error!(error = %e, "demo traffic: no HTTP client");
                return;
            }
        };
        let mut rng = StdRng::from_entropy();
        let mut ticks = tokio::time::interval(TICK);
        ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        let mut due = 0.0_f64;
        loop {
            tokio::select! {
                _ = &mut stop => break,
                _ = ticks.tick() => {}
            }
            due += self.visits_per_second * TICK.as_secs_f64();
            let count = due.floor();
            due -= count;
            let batch = self.visits(&mut rng, count as usize);
            if batch.impressions.is_empty() && batch.events.is_empty() {
                continue;
            }
            // A stop during a post waits for it: once stopped, nothing more arrives.
            self.post(
                &client,
                "impressions",
                batch.impressions,
                &self.counters.impressions,
            )
            .await;
            self.post(&client, "events", batch.events, &self.counters.events)
                .await;
        }
        tracing::info!("demo traffic stopped");
    }

    /// `count` visits against the flags as they are now: edits, kills and new flags in the
    /// demo environment show in the traffic at once.
    fn visits(&self, rng: &mut StdRng, count: usize) -> Visit {
        let catalog = self.flags.catalog(self.environment_id);
        let mut active: Vec<&FlagDefinition> = catalog
            .definitions
            .values()
            .filter(|d| d.status == FlagStatus::Active)
            .collect();
        active.sort_by(|a, b| a.name.cmp(&b.name));
        let now = imprint_store::now_ms();
        let mut batch = Visit::default();
        for _ in 0..count {
            let one = visit(rng, &active, catalog.as_ref(), now);
            batch.impressions.extend(one.impressions);
            batch.events.extend(one.events);
        }
        batch
    }

    async fn post(
        &self,
        client: &reqwest::Client,
        what: &str,
        items: Vec<Value>,
        sent: &AtomicU64,
    ) {
        if items.is_empty() {
            return;
        }
        let response = client
            .post(format!("{}/api/v1/{what}", self.base_url))
            .bearer_auth(&self.sdk_key)
            .json(&items)
            .send()
            .await;
        let report = match response {
            Ok(r) if r.status().is_success() => r.json::<imprint_types::IngestReport>().await,
            Ok(r) => {
                tracing::warn!(status = %r.status(), what, "demo traffic: post refused");
                return;
            }
            Err(e) => {
                tracing::warn!(error = %e, what, "demo traffic: post failed");
                return;
            }
        };
        match report {
            Ok(report) => {
                sent.fetch_add(report.accepted as u64, Ordering::Relaxed);
            }
            Err(e) => tracing::warn!(error = %e, what, "demo traffic: unreadable answer"),
        }
    }
}
