//! Impression sinks: every stored impression (and, when asked, every event) delivered to the
//! tools teams use, at least once, from a durable cursor over the outbox tables.
//!
//! Each running sink is an actor ([`SinkActor`]) that owns its delivery loop
//! ([`runner::SinkRunner`]); a registry actor starts, replaces and stops them as sinks are
//! created, changed, paused or deleted, and wakes those of an environment when the writer
//! commits its rows. Sink actors live on an arbiter (thread) of their own, so encoding and
//! compressing batches never holds up the writer or the HTTP workers.

pub mod amplitude;
pub mod analytics;
pub mod delivery;
pub mod destination;
pub mod file;
pub mod kind;
pub mod mixpanel;
pub mod runner;
pub mod s3;
pub mod segment;
pub mod webhook;

use std::collections::HashMap;
use std::sync::Arc;

use actix::prelude::*;
use imprint_store::sinks::SinkRow;
use imprint_store::Database;
use serde_json::{Map, Value};
use tokio::sync::Notify;

use crate::actors::exports::spec::ExportCriteria;
use crate::actors::writer::Writer;
use destination::{Destination, SinkContext};
use kind::SinkKind;
use runner::{DeliverySettings, SinkRunner};

/// The settings stored for a sink, parsed.
pub struct SinkSetup {
    pub kind: SinkKind,
    pub criteria: ExportCriteria,
    pub destination: Arc<dyn Destination>,
}

/// Parses a stored sink's settings and builds its destination.
pub fn setup(row: &SinkRow, ctx: &SinkContext) -> Result<SinkSetup, String> {
    let kind = SinkKind::parse(&row.kind).ok_or_else(|| format!("unknown kind {}", row.kind))?;
    let object = |text: &str| -> Result<Map<String, Value>, String> {
        serde_json::from_str(text).map_err(|e| format!("stored settings are unreadable: {e}"))
    };
    let criteria: ExportCriteria =
        serde_json::from_str(&row.filter).map_err(|e| format!("stored filter: {e}"))?;
    let destination = kind.build(&object(&row.config)?, &object(&row.secrets)?, ctx)?;
    Ok(SinkSetup {
        kind,
        criteria,
        destination,
    })
}

/// Delivers one sink's rows for as long as it runs.
struct SinkActor {
    runner: Option<SinkRunner>,
}

impl Actor for SinkActor {
    type Context = Context<Self>;

    fn started(&mut self, ctx: &mut Self::Context) {
        if let Some(runner) = self.runner.take() {
            // Stopping the actor drops the loop wherever it is: delivery is at least once,
            // and each step that matters (cursor, dead letter) commits in one statement.
            ctx.spawn(runner.run().into_actor(self).map(|(), _, ctx| ctx.stop()));
        }
    }
}

#[derive(Message)]
#[rtype(result = "()")]
struct Stop;

impl Handler<Stop> for SinkActor {
    type Result = ();

    fn handle(&mut self, _: Stop, ctx: &mut Self::Context) {
        ctx.stop();
    }
}

struct Running {
    environment_id: i64,
    actor: Addr<SinkActor>,
    wake: Arc<Notify>,
}

/// Knows the running sinks.
struct Registry {
    arbiter: ArbiterHandle,
    running: HashMap<i64, Running>,
}

impl Actor for Registry {
    type Context = Context<Self>;
}

impl Drop for Registry {
    /// The sinks' arbiter is a thread of its own, which would otherwise outlive the system
    /// that started it (and keep its database pool open): it ends with the registry.
    fn drop(&mut self) {
        self.arbiter.stop();
    }
}

/// Replaces whatever runs for `sink_id` with `runner` (nothing, when paused or deleted).
#[derive(Message)]
#[rtype(result = "()")]
struct Replace {
    sink_id: i64,
    runner: Option<SinkRunner>,
}

impl Handler<Replace> for Registry {
    type Result = ();

    fn handle(&mut self, msg: Replace, _: &mut Self::Context) {
        if let Some(old) = self.running.remove(&msg.sink_id) {
            old.actor.do_send(Stop);
        }
        if let Some(runner) = msg.runner {
            let environment_id = runner.sink.environment_id;
            let wake = runner.wake.clone();
            let actor = SinkActor {
                runner: Some(runner),
            };
            let actor = SinkActor::start_in_arbiter(&self.arbiter, move |_| actor);
            self.running.insert(
                msg.sink_id,
                Running {
                    environment_id,
                    actor,
                    wake,
                },
            );
        }
    }
}

/// New rows were committed in these environments.
#[derive(Message)]
#[rtype(result = "()")]
struct Committed(Vec<i64>);

impl Handler<Committed> for Registry {
    type Result = ();

    fn handle(&mut self, msg: Committed, _: &mut Self::Context) {
        for running in self.running.values() {
            if msg.0.contains(&running.environment_id) {
                running.wake.notify_one();
            }
        }
    }
}

/// The handle HTTP code uses: (re)start a sink after its settings changed, stop one.
#[derive(Clone)]
pub struct Sinks {
    db: Database,
    registry: Addr<Registry>,
    ctx: SinkContext,
    settings: DeliverySettings,
    /// Reloads one at a time, so an older read of a sink can never replace a newer one.
    reloading: Arc<tokio::sync::Mutex<()>>,
}

impl Sinks {
    /// Starts every enabled sink and wakes them on the writer's commits.
    pub async fn start(
        db: Database,
        writer: &Writer,
        ctx: SinkContext,
        settings: DeliverySettings,
    ) -> anyhow::Result<Sinks> {
        let arbiter = Arbiter::new().handle();
        let registry = Registry {
            arbiter,
            running: HashMap::new(),
        }
        .start();
        let sinks = Sinks {
            db: db.clone(),
            registry: registry.clone(),
            ctx,
            settings,
            reloading: Arc::new(tokio::sync::Mutex::new(())),
        };
        for row in db.all_sinks().await? {
            sinks.reload(row.id).await?;
        }
        forward_commits(writer, registry);
        Ok(sinks)
    }

    pub fn context(&self) -> &SinkContext {
        &self.ctx
    }

    /// Reads the sink again and restarts its delivery (or stops it when it is paused or gone).
    pub async fn reload(&self, sink_id: i64) -> Result<(), imprint_store::DbErr> {
        let _one_at_a_time = self.reloading.lock().await;
        let runner = match self.db.sink_by_id(sink_id).await? {
            Some(row) if row.enabled => self.runner(row).await?,
            _ => None,
        };
        self.registry.do_send(Replace { sink_id, runner });
        Ok(())
    }

    async fn runner(&self, row: SinkRow) -> Result<Option<SinkRunner>, imprint_store::DbErr> {
        let setup = match setup(&row, &self.ctx) {
            Ok(setup) => setup,
            Err(reason) => {
                // Settings are checked when saved, so only a downgrade or a hand-edited row
                // gets here; the sink says why it does not run.
                self.db
                    .set_sink_enabled(row.id, false, Some(format!("cannot start: {reason}")))
                    .await?;
                return Ok(None);
            }
        };
        let environment = self.db.environment_name(row.environment_id).await?;
        Ok(Some(SinkRunner {
            db: self.db.clone(),
            sink: row,
            environment,
            destination: setup.destination,
            criteria: setup.criteria,
            settings: self.settings,
            wake: Arc::new(Notify::new()),
        }))
    }
}

/// Wakes the sinks of the environments whose rows each commit carried.
fn forward_commits(writer: &Writer, registry: Addr<Registry>) {
    let mut impressions = writer.subscribe();
    let mut events = writer.subscribe_events();
    actix::spawn(async move {
        loop {
            let environments: Vec<i64> = tokio::select! {
                batch = impressions.recv() => match batch {
                    Ok(batch) => batch.iter().map(|r| r.environment_id).collect(),
                    Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => Vec::new(),
                    Err(tokio::sync::broadcast::error::RecvError::Closed) => return,
                },
                batch = events.recv() => match batch {
                    Ok(batch) => batch.iter().map(|r| r.environment_id).collect(),
                    Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => Vec::new(),
                    Err(tokio::sync::broadcast::error::RecvError::Closed) => return,
                },
            };
            let mut environments = environments;
            environments.sort_unstable();
            environments.dedup();
            if !environments.is_empty() {
                registry.do_send(Committed(environments));
            }
        }
    });
}
