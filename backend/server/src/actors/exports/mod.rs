//! Exports: the formats and row sources that streaming exports and export jobs share, and the
//! export-jobs actor.
//!
//! The actor runs one job at a time in the background, oldest first. At start it takes up the
//! jobs a previous process left queued or running (see [`job`] for how each resumes). After
//! every job, and on a periodic tick, it deletes the files of jobs past their download period
//! and marks them expired. It assumes one server per database runs jobs.

pub mod encode;
pub mod job;
pub mod source;
pub mod spec;

use std::path::PathBuf;
use std::time::Duration;

use actix::prelude::*;
use anyhow::Context as _;
use imprint_store::export_jobs::{ExportJobRow, NewExportJob};
use imprint_store::{now_ms, Database, DbErr};

use self::job::JobSettings;
use self::spec::ExportSpec;
use super::{ActorError, ACTOR_TIMEOUT};

/// How often expired job files are looked for, besides after every job.
const SWEEP_EVERY: Duration = Duration::from_secs(60);

pub struct ExportJobsActor {
    db: Database,
    settings: JobSettings,
    /// A job (or the look for one) is under way.
    busy: bool,
    /// There may be jobs to run that no message will announce: set at start when a previous
    /// process left some, and when looking for the next job failed (the tick tries again).
    retry: bool,
}

impl Actor for ExportJobsActor {
    type Context = Context<Self>;

    fn started(&mut self, ctx: &mut Self::Context) {
        ctx.set_mailbox_capacity(64);
        ctx.run_interval(SWEEP_EVERY, |act, ctx| {
            act.sweep(ctx);
            if act.retry {
                act.run_next(ctx);
            }
        });
        if self.retry {
            self.run_next(ctx);
        }
    }
}

impl ExportJobsActor {
    /// Starts the oldest queued or interrupted job unless one is running.
    fn run_next(&mut self, ctx: &mut Context<Self>) {
        if self.busy {
            return;
        }
        self.busy = true;
        self.retry = false;
        let (db, settings) = (self.db.clone(), self.settings.clone());
        ctx.spawn(
            async move {
                let job = match db.next_export_job().await {
                    Ok(Some(job)) => job,
                    Ok(None) => return Ok(false),
                    Err(e) => {
                        tracing::error!(error = %e, "looking for export jobs failed");
                        return Err(());
                    }
                };
                match tokio::time::timeout(settings.timeout, job::run(&db, &job, &settings)).await {
                    Ok(Ok(())) => {}
                    Ok(Err(e)) => fail(&db, &job, &settings, e).await,
                    Err(_) => {
                        let limit = anyhow::anyhow!(
                            "it ran longer than {} s (IMPRINT_EXPORT_JOB_TIMEOUT_SECONDS)",
                            settings.timeout.as_secs()
                        );
                        fail(&db, &job, &settings, limit).await;
                    }
                }
                Ok(true)
            }
            .into_actor(self)
            .map(|ran, act, ctx| {
                act.busy = false;
                match ran {
                    Ok(true) => {
                        act.sweep(ctx);
                        act.run_next(ctx);
                    }
                    Ok(false) => {}
                    Err(()) => act.retry = true,
                }
            }),
        );
    }

    /// Deletes the files of jobs past their download period and marks them expired.
    fn sweep(&mut self, ctx: &mut Context<Self>) {
        let db = self.db.clone();
        ctx.spawn(
            async move {
                if let Err(e) = expire(&db).await {
                    tracing::error!(error = %e, "expiring export files failed");
                }
            }
            .into_actor(self),
        );
    }
}

async fn expire(db: &Database) -> Result<(), DbErr> {
    for job in db.expired_export_jobs(now_ms()).await? {
        if let Some(path) = &job.file_path {
            remove_file(path).await;
        }
        db.expire_export_job(job.id).await?;
        tracing::info!(job = job.id, "export expired");
    }
    Ok(())
}

async fn remove_file(path: &str) {
    match tokio::fs::remove_file(path).await {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => tracing::warn!(path, error = %e, "removing an export file failed"),
    }
}

/// Records a failed job and drops its partial file. The job shows the top-level reason (our
/// own wording); the whole cause chain goes to the log.
async fn fail(db: &Database, job: &ExportJobRow, settings: &JobSettings, error: anyhow::Error) {
    tracing::error!(job = job.id, error = ?error, "export job failed");
    if let Ok(spec) = job::spec_of(job) {
        let path = job::file_path(&settings.dir, job.id, &spec);
        remove_file(&path.to_string_lossy()).await;
    }
    let reason = format!("the export failed: {error}");
    if let Err(e) = db.fail_export_job(job.id, &reason).await {
        tracing::error!(job = job.id, error = %e, "recording a failed export failed");
    }
}

/// Queues a job; it runs as soon as the jobs before it are done.
#[derive(Message)]
#[rtype(result = "Result<ExportJobRow, DbErr>")]
pub struct CreateJob {
    pub environment_id: i64,
    pub spec: ExportSpec,
    pub created_by: Option<i64>,
}

impl Handler<CreateJob> for ExportJobsActor {
    type Result = ResponseActFuture<Self, Result<ExportJobRow, DbErr>>;

    fn handle(&mut self, msg: CreateJob, _: &mut Self::Context) -> Self::Result {
        let db = self.db.clone();
        Box::pin(
            async move {
                let criteria = serde_json::to_string(&msg.spec.criteria)
                    .map_err(|e| DbErr::Custom(format!("serialising criteria: {e}")))?;
                db.create_export_job(NewExportJob {
                    environment_id: msg.environment_id,
                    kind: msg.spec.kind.as_str(),
                    criteria,
                    format: msg.spec.format.as_str(),
                    gzip: msg.spec.gzip,
                    created_by: msg.created_by,
                })
                .await
            }
            .into_actor(self)
            .map(|created, act, ctx| {
                if created.is_ok() {
                    act.run_next(ctx);
                }
                created
            }),
        )
    }
}

/// The typed handle the rest of the server uses.
#[derive(Clone)]
pub struct ExportJobs {
    addr: Addr<ExportJobsActor>,
    /// Serialises "count the user's unfinished jobs, then queue one", so concurrent requests
    /// cannot exceed the per-user quota together.
    quota: std::sync::Arc<tokio::sync::Mutex<()>>,
}

/// Where export job files go, how long they stay and how long a job may run.
pub struct JobLimits {
    pub dir: PathBuf,
    pub ttl_days: u32,
    pub timeout: Duration,
}

impl ExportJobs {
    /// Expires what is due, then starts the actor, which takes up unfinished jobs at once.
    /// The start-up look is awaited here rather than left running in the actor, so that a
    /// server that stops right away has no query in flight. Must run inside an actix system.
    pub async fn start(db: Database, limits: JobLimits) -> anyhow::Result<ExportJobs> {
        expire(&db).await?;
        let unfinished = db.next_export_job().await?.is_some();
        let addr = ExportJobsActor {
            db,
            settings: JobSettings {
                dir: limits.dir,
                ttl_days: limits.ttl_days,
                timeout: limits.timeout,
            },
            busy: false,
            retry: unfinished,
        }
        .start();
        Ok(ExportJobs {
            addr,
            quota: Default::default(),
        })
    }

    /// Held while a request checks the quota and queues its job.
    pub async fn quota_turn(&self) -> tokio::sync::MutexGuard<'_, ()> {
        self.quota.lock().await
    }

    pub async fn create(&self, job: CreateJob) -> Result<Result<ExportJobRow, DbErr>, ActorError> {
        Ok(self.addr.send(job).timeout(ACTOR_TIMEOUT).await?)
    }
}

/// Runs encoding and file I/O off the async workers.
pub async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> anyhow::Result<T> + Send + 'static,
) -> anyhow::Result<T> {
    actix_web::rt::task::spawn_blocking(work)
        .await
        .context("an export thread panicked")?
}
