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
mod new_rows;
pub mod runner;
pub mod s3;
pub mod segment;
mod shared_reads;
pub mod webhook;

use std::collections::HashMap;
use std::sync::Arc;

use actix::prelude::*;
use imprint_store::sinks::SinkRow;
use imprint_store::Database;
use serde_json::{Map, Value};

use crate::actors::exports::spec::ExportCriteria;
use crate::actors::writer::Writer;
use destination::{Destination, SinkContext};
use kind::SinkKind;
use new_rows::NewRows;
use runner::{DeliverySettings, SinkRunner};
use shared_reads::SharedReads;

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
    new_rows: Arc<NewRows>,
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
            let new_rows = runner.new_rows.clone();
            let actor = SinkActor {
                runner: Some(runner),
            };
            let actor = SinkActor::start_in_arbiter(&self.arbiter, move |_| actor);
            self.running.insert(
                msg.sink_id,
                Running {
                    environment_id,
                    actor,
                    new_rows,
                },
            );
        }
    }
}

/// Rows committed per environment: `(environment_id, impressions, events)`.
#[derive(Message)]
#[rtype(result = "()")]
struct Committed(Vec<(i64, u64, u64)>);

impl Handler<Committed> for Registry {
    type Result = ();

    fn handle(&mut self, msg: Committed, _: &mut Self::Context) {
        for running in self.running.values() {
            for &(environment_id, impressions, events) in &msg.0 {
                if environment_id == running.environment_id {
                    running.new_rows.arrived(impressions, events);
                }
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
    shared_reads: SharedReads,
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
            shared_reads: SharedReads::default(),
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
            new_rows: Arc::new(NewRows::default()),
            shared_reads: self.shared_reads.clone(),
        }))
    }
}

/// Tells the sinks of each environment how many rows each commit brought it.
fn forward_commits(writer: &Writer, registry: Addr<Registry>) {
    use tokio::sync::broadcast::error::RecvError;
    let mut impressions = writer.subscribe();
    let mut events = writer.subscribe_events();
    actix::spawn(async move {
        loop {
            let mut counts: Vec<(i64, u64, u64)> = Vec::new();
            let mut count = |environment_id: i64, impression: bool| {
                let at = match counts.iter().position(|c| c.0 == environment_id) {
                    Some(at) => at,
                    None => {
                        counts.push((environment_id, 0, 0));
                        counts.len() - 1
                    }
                };
                if impression {
                    counts[at].1 += 1;
                } else {
                    counts[at].2 += 1;
                }
            };
            // A lagging receiver missed commits it cannot count: the sinks' idle poll finds
            // their rows within a second.
            tokio::select! {
                batch = impressions.recv() => match batch {
                    Ok(batch) => batch.iter().for_each(|r| count(r.environment_id, true)),
                    Err(RecvError::Lagged(_)) => {}
                    Err(RecvError::Closed) => return,
                },
                batch = events.recv() => match batch {
                    Ok(batch) => batch.iter().for_each(|r| count(r.environment_id, false)),
                    Err(RecvError::Lagged(_)) => {}
                    Err(RecvError::Closed) => return,
                },
            };
            if !counts.is_empty() {
                registry.do_send(Committed(counts));
            }
        }
    });
}
