//! The retention actor, on a schedule or on demand. Per environment it deletes impressions,
//! events and SDK telemetry past the environment's retention (by reception *and* by their own
//! timestamp), hourly counts and monthly unique keys past the (longer) counts retention, and
//! hourly counts for hours in the future. Once per run it deletes expired console sessions,
//! and, after the environments, the dictionary strings no row references any more (see
//! `imprint_store::unused_strings` for why that is safe beside ingestion).
//!
//! It deletes in bounded chunks with a short pause between them, so the database's writer
//! lock is never held long and ingestion keeps its latency while a large purge runs.

use std::time::Duration;

use actix::prelude::*;
use imprint_store::ingest::{hour_of, month_of};
use imprint_store::retention::{cutoff_for, days_ms, ExpiredRows, RetentionRun};
use imprint_store::{now_ms, Database, DbErr};

use crate::ingest::StringBudget;

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
    /// Ingestion's count of distinct strings per environment, recounted after each purge of
    /// unused strings.
    strings: StringBudget,
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
        let (db, settings, budget) = (self.db.clone(), self.settings, self.strings.clone());
        AtomicResponse::new(Box::pin(
            async move {
                let sessions = db.purge_expired_sessions(now_ms()).await?;
                if sessions > 0 {
                    tracing::info!(sessions, "expired sessions deleted");
                }
                let mut runs = Vec::new();
                for env in db.list_environments().await? {
                    if msg.environment_id.is_some_and(|id| id != env.id) {
                        continue;
                    }
                    let run = purge_environment(&db, &settings, env.id, env.retention_days, &msg).await?;
                    if run.impressions_deleted + run.events_deleted + run.counts_deleted > 0 {
                        tracing::info!(environment = %env.name, impressions = run.impressions_deleted,
                            events = run.events_deleted, counts = run.counts_deleted, "retention purge");
                    }
                    runs.push(run);
                }
                // After the environments: their purges are what leaves strings unused. The
                // runs are recorded even if this fails, then the failure is reported.
                let strings = db.purge_unused_strings(settings.pause).await;
                let strings_deleted = strings.as_ref().map_or(0, |s| s.deleted as i64);
                if let Ok(purged) = &strings {
                    budget.recount(&purged.in_use);
                }
                if let Some(purged) = strings.as_ref().ok().filter(|p| p.deleted > 0) {
                    tracing::info!(strings = purged.deleted,
                        longest_write_ms = purged.longest_write.as_millis() as u64,
                        "unused dictionary strings deleted");
                }
                for run in &mut runs {
                    run.strings_deleted = strings_deleted;
                    db.record_retention_run(run).await?;
                }
                strings?;
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
    let mut expired = vec![ExpiredRows::ImpressionsReceived];
    expired.extend(
        db.flag_ids(environment_id)
            .await?
            .into_iter()
            .map(ExpiredRows::ImpressionsOfFlag),
    );
    expired.extend([ExpiredRows::EventsReceived, ExpiredRows::EventsTimestamped]);
    for rows in expired {
        let deleted = in_chunks(settings, |limit| {
            db.purge_chunk(rows, environment_id, cutoff, limit)
        })
        .await?;
        match rows {
            ExpiredRows::ImpressionsReceived | ExpiredRows::ImpressionsOfFlag(_) => {
                run.impressions_deleted += deleted
            }
            ExpiredRows::EventsReceived | ExpiredRows::EventsTimestamped => {
                run.events_deleted += deleted
            }
        }
    }
    let telemetry = in_chunks(settings, |limit| {
        db.purge_telemetry_chunk(environment_id, cutoff, limit)
    })
    .await?;

    let counts_cutoff = started_at - days_ms(settings.counts_retention_days);
    run.counts_deleted = db
        .purge_counts(environment_id, hour_of(counts_cutoff))
        .await? as i64;
    // A day ahead leaves room for clocks that run ahead and for the current hour elsewhere.
    let last_plausible_hour = hour_of(started_at + days_ms(1));
    run.counts_deleted += db
        .purge_future_counts(environment_id, last_plausible_hour)
        .await? as i64;
    let unique_keys = in_chunks(settings, |limit| {
        db.purge_unique_keys_chunk(environment_id, month_of(counts_cutoff), limit)
    })
    .await?;
    if telemetry + unique_keys > 0 {
        tracing::info!(
            environment_id,
            telemetry,
            unique_keys,
            "retention purge of SDK telemetry and monthly keys"
        );
    }
    run.finished_at = now_ms();
    Ok(run)
}

/// Runs `chunk` until it deletes fewer rows than the chunk size, pausing in between so
/// waiting ingestion transactions get the database; returns the rows deleted.
async fn in_chunks<F, Fut>(settings: &RetentionSettings, mut chunk: F) -> Result<i64, DbErr>
where
    F: FnMut(u64) -> Fut,
    Fut: std::future::Future<Output = Result<u64, DbErr>>,
{
    let mut total = 0;
    loop {
        let deleted = chunk(settings.chunk_rows).await?;
        total += deleted as i64;
        if deleted < settings.chunk_rows {
            return Ok(total);
        }
        tokio::time::sleep(settings.pause).await;
    }
}

/// The typed handle.
#[derive(Clone)]
pub struct Retention {
    addr: Addr<RetentionActor>,
}

/// A manual purge of millions of rows takes a while; the request waits this long.
const MANUAL_RUN_TIMEOUT: Duration = Duration::from_secs(600);

impl Retention {
    pub fn start(db: Database, settings: RetentionSettings, strings: StringBudget) -> Retention {
        Retention {
            addr: RetentionActor {
                db,
                settings,
                strings,
            }
            .start(),
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
