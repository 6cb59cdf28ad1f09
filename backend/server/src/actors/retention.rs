//! The retention actor: deletes impressions and events past each environment's retention,
//! and hourly counts past the (longer) counts retention, on a schedule or on demand.
//!
//! It deletes in bounded chunks with a short pause between them, so the database's writer
//! lock is never held long and ingestion keeps its latency while a large purge runs.

use std::time::Duration;

use actix::prelude::*;
use imprint_store::ingest::hour_of;
use imprint_store::retention::{cutoff_for, days_ms, PurgedTable, RetentionRun};
use imprint_store::{now_ms, Database, DbErr};

#[derive(Debug, Clone, Copy)]
pub struct RetentionSettings {
    /// How often every environment is purged.
    pub interval: Duration,
    /// Rows per DELETE statement.
    pub chunk_rows: u64,
    /// Pause between chunks, which lets waiting ingestion transactions in.
    pub pause: Duration,
    /// Hourly counts are kept this long, so charts reach past raw retention.
    pub counts_retention_days: i64,
}

pub struct RetentionActor {
    db: Database,
    settings: RetentionSettings,
}

impl Actor for RetentionActor {
    type Context = Context<Self>;

    fn started(&mut self, ctx: &mut Self::Context) {
        ctx.set_mailbox_capacity(64);
        ctx.run_interval(self.settings.interval, |_, ctx| {
            // A scheduled run queued behind a running one is simply skipped.
            let _ = ctx.address().try_send(RunPurge {
                environment_id: None,
                reason: "schedule",
                triggered_by: None,
            });
        });
    }
}

/// Purges one environment (`Some`) or all of them.
#[derive(Message)]
#[rtype(result = "Result<Vec<RetentionRun>, DbErr>")]
pub struct RunPurge {
    pub environment_id: Option<i64>,
    pub reason: &'static str,
    pub triggered_by: Option<String>,
}

impl Handler<RunPurge> for RetentionActor {
    type Result = AtomicResponse<Self, Result<Vec<RetentionRun>, DbErr>>;

    fn handle(&mut self, msg: RunPurge, _: &mut Self::Context) -> Self::Result {
        let (db, settings) = (self.db.clone(), self.settings);
        AtomicResponse::new(Box::pin(
            async move {
                let mut runs = Vec::new();
                for env in db.list_environments().await? {
                    if msg.environment_id.is_some_and(|id| id != env.id) {
                        continue;
                    }
                    let run = purge_environment(&db, &settings, env.id, env.retention_days, &msg).await?;
                    db.record_retention_run(&run).await?;
                    if run.impressions_deleted + run.events_deleted + run.counts_deleted > 0 {
                        tracing::info!(environment = %env.name, impressions = run.impressions_deleted,
                            events = run.events_deleted, counts = run.counts_deleted, "retention purge");
                    }
                    runs.push(run);
                }
                Ok(runs)
            }
            .into_actor(self),
        ))
    }
}

async fn purge_environment(
    db: &Database,
    settings: &RetentionSettings,
    environment_id: i64,
    retention_days: i32,
    msg: &RunPurge,
) -> Result<RetentionRun, DbErr> {
    let started_at = now_ms();
    let cutoff = cutoff_for(retention_days);
    let mut run = RetentionRun {
        environment_id,
        reason: msg.reason.to_owned(),
        triggered_by: msg.triggered_by.clone(),
        cutoff,
        started_at,
        ..RetentionRun::default()
    };
    for table in [PurgedTable::Impressions, PurgedTable::Events] {
        loop {
            let deleted = db
                .purge_chunk(table, environment_id, cutoff, settings.chunk_rows)
                .await?;
            match table {
                PurgedTable::Impressions => run.impressions_deleted += deleted as i64,
                PurgedTable::Events => run.events_deleted += deleted as i64,
            }
            if deleted < settings.chunk_rows {
                break;
            }
            tokio::time::sleep(settings.pause).await;
        }
    }
    let counts_cutoff = hour_of(started_at - days_ms(settings.counts_retention_days));
    run.counts_deleted = db.purge_counts(environment_id, counts_cutoff).await? as i64;
    run.finished_at = now_ms();
    Ok(run)
}

/// The typed handle.
#[derive(Clone)]
pub struct Retention {
    addr: Addr<RetentionActor>,
}

/// A manual purge of millions of rows takes a while; the request waits this long.
const MANUAL_RUN_TIMEOUT: Duration = Duration::from_secs(600);

impl Retention {
    pub fn start(db: Database, settings: RetentionSettings) -> Retention {
        Retention {
            addr: RetentionActor { db, settings }.start(),
        }
    }

    pub async fn run_now(
        &self,
        environment_id: i64,
        by: &str,
    ) -> Result<Result<Vec<RetentionRun>, DbErr>, super::ActorError> {
        let msg = RunPurge {
            environment_id: Some(environment_id),
            reason: "manual",
            triggered_by: Some(by.to_owned()),
        };
        Ok(self.addr.send(msg).timeout(MANUAL_RUN_TIMEOUT).await?)
    }
}
