//! `imprint serve --demo`: a demo environment on a fresh database and a traffic simulator that
//! sends it impressions and events through the public ingestion API, so a newcomer's console
//! shows traffic charts, a moving live tail and a metric impact within a minute.
//!
//! The simulator is a task owned by [`DemoTraffic`]. It runs only on a server started with
//! `--demo` (`IMPRINT_DEMO=true`); admins stop and start it from the console. Each run makes
//! its own server-side SDK key and revokes it when stopped.

mod metrics;
mod seed;
mod simulator;
mod visits;

use std::net::SocketAddr;
use std::sync::atomic::Ordering;
use std::sync::Arc;

use imprint_store::environments::{Actor, EnvironmentRow};
use imprint_types::{DemoStatus, SdkKeyKind};
use serde::{Deserialize, Serialize};
use tokio::sync::{oneshot, Mutex};

use crate::actors::environments::{CreateKey, RevokeKey};
use crate::state::AppState;
pub use seed::{demo_actor, DEMO_ENVIRONMENT};
use simulator::{Counters, Simulation};

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct DemoSettings {
    /// Create the demo environment on a fresh database and run the traffic simulator.
    pub demo: bool,
    /// Simulated visits per second (each: the flags evaluated, a page view, maybe a checkout).
    pub demo_visits_per_second: f64,
}

impl Default for DemoSettings {
    fn default() -> Self {
        DemoSettings {
            demo: false,
            // About 1,500 visitors a minute: enough for the checkout experiment to reach
            // significance within a minute or two (see `visits::CHECKOUT_RATE`), little
            // enough for any laptop.
            demo_visits_per_second: 25.0,
        }
    }
}

/// The handle to the simulator: cloneable, and inert on servers started without `--demo`.
#[derive(Clone, Default)]
pub struct DemoTraffic {
    inner: Option<Arc<Inner>>,
}

struct Inner {
    environment: EnvironmentRow,
    base_url: String,
    visits_per_second: f64,
    counters: Arc<Counters>,
    run: Mutex<Option<Running>>,
}

struct Running {
    stop: oneshot::Sender<()>,
    done: tokio::task::JoinHandle<()>,
    key_id: i64,
    started_at: i64,
}

#[derive(Debug, thiserror::Error)]
pub enum DemoError {
    #[error("this server was not started with --demo")]
    Unavailable,
    #[error(transparent)]
    Failed(#[from] anyhow::Error),
}

impl DemoTraffic {
    /// Prepares the demo environment (created on a fresh database) and the simulator sending
    /// to `address`, the server's own listener. Inert when the database is in use already.
    pub async fn prepare(state: &AppState, address: SocketAddr) -> anyhow::Result<DemoTraffic> {
        let Some(environment) = seed::demo_environment(state).await? else {
            tracing::warn!(
                "--demo: this database already holds environments, so no demo environment is \
                 created and no demo traffic runs"
            );
            return Ok(DemoTraffic::default());
        };
        let host = match address {
            SocketAddr::V4(a) if a.ip().is_unspecified() => format!("127.0.0.1:{}", a.port()),
            SocketAddr::V6(a) if a.ip().is_unspecified() => format!("[::1]:{}", a.port()),
            other => other.to_string(),
        };
        Ok(DemoTraffic {
            inner: Some(Arc::new(Inner {
                environment,
                base_url: format!("http://{host}"),
                visits_per_second: state
                    .settings
                    .demo
                    .demo_visits_per_second
                    .clamp(0.1, 1_000.0),
                counters: Arc::default(),
                run: Mutex::new(None),
            })),
        })
    }

    fn inner(&self) -> Result<&Inner, DemoError> {
        self.inner.as_deref().ok_or(DemoError::Unavailable)
    }

    /// Starts the simulator with a new SDK key; does nothing if it runs already.
    pub async fn start(&self, state: &AppState, by: Actor) -> Result<DemoStatus, DemoError> {
        let inner = self.inner()?;
        let mut run = inner.run.lock().await;
        if run.is_none() {
            let (key_row, key) = state
                .environments
                .call(CreateKey {
                    actor: by,
                    environment: inner.environment.clone(),
                    kind: SdkKeyKind::Server,
                })
                .await
                .map_err(anyhow::Error::from)?
                .map_err(anyhow::Error::from)?;
            let simulation = Simulation {
                base_url: inner.base_url.clone(),
                sdk_key: key,
                environment_id: inner.environment.id,
                visits_per_second: inner.visits_per_second,
                flags: state.flags.clone(),
                counters: inner.counters.clone(),
            };
            let (stop, stopped) = oneshot::channel();
            let done = actix_web::rt::spawn(simulation.run(stopped));
            tracing::info!(
                environment = %inner.environment.name,
                visits_per_second = inner.visits_per_second,
                "demo traffic started"
            );
            *run = Some(Running {
                stop,
                done,
                key_id: key_row.id,
                started_at: imprint_store::now_ms(),
            });
        }
        Ok(inner.status(run.as_ref()))
    }

    /// Stops the simulator, waits until its last post is answered, and revokes its key.
    pub async fn stop(&self, state: &AppState, by: Actor) -> Result<DemoStatus, DemoError> {
        let inner = self.inner()?;
        let mut run = inner.run.lock().await;
        if let Some(running) = run.take() {
            // The receiver is gone only if the task ended already; either way it has ended
            // once `done` resolves.
            let _ = running.stop.send(());
            if let Err(e) = running.done.await {
                tracing::warn!(error = %e, "demo traffic task ended abnormally");
            }
            state
                .environments
                .call(RevokeKey {
                    actor: by,
                    environment: inner.environment.clone(),
                    key_id: running.key_id,
                })
                .await
                .map_err(anyhow::Error::from)?
                .map_err(anyhow::Error::from)?;
        }
        Ok(inner.status(None))
    }

    pub async fn status(&self) -> DemoStatus {
        match self.inner.as_deref() {
            Some(inner) => inner.status(inner.run.lock().await.as_ref()),
            None => DemoStatus::default(),
        }
    }

    /// The demo environment's id, when there is one.
    pub fn environment_id(&self) -> Option<i64> {
        self.inner.as_deref().map(|i| i.environment.id)
    }
}

impl Inner {
    fn status(&self, running: Option<&Running>) -> DemoStatus {
        DemoStatus {
            available: true,
            running: running.is_some(),
            environment: Some(self.environment.name.clone()),
            visits_per_second: self.visits_per_second,
            impressions_sent: self.counters.impressions.load(Ordering::Relaxed),
            events_sent: self.counters.events.load(Ordering::Relaxed),
            started_at: running.map(|r| crate::http::iso_time(r.started_at)),
        }
    }
}
