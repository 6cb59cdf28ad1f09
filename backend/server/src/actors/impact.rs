//! The impact actor: caches metric impacts per (environment, flag, metric, baseline, window)
//! and keeps the ones people look at fresh.
//!
//! An impact over a million users takes the database seconds, so a result is computed once
//! and served from the cache until it is older than the refresh interval; every interval the
//! actor recomputes the results asked for within the last hour, and forgets the others. A
//! caller may ask for a fresh computation (`refresh`). Callers asking for a key that is being
//! computed wait for that computation instead of starting another, and a semaphore bounds the
//! computations running at once, so a burst of requests cannot swamp the database.
//!
//! Computations run as futures of the actor's context: the actor keeps answering (cache hits
//! in particular) while they await the database.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use actix::prelude::*;
use imprint_store::{now_ms, Database};
use imprint_types::ImpactView;
use tokio::sync::{oneshot, Semaphore};

use super::flags::Flags;
use super::ActorError;
use crate::impact::{compute, ComputeError, ImpactKey, Versions};

#[derive(Debug, Clone, Copy)]
pub struct ImpactSettings {
    /// A cached result older than this is recomputed (on schedule, or when asked).
    pub refresh_interval: Duration,
    /// Results not asked for within this long are dropped instead of refreshed.
    pub keep_for: Duration,
    /// At most this many results are kept; the least recently asked go first.
    pub max_entries: usize,
    /// Computations running at once.
    pub concurrency: usize,
}

impl Default for ImpactSettings {
    fn default() -> Self {
        ImpactSettings {
            refresh_interval: Duration::from_secs(60),
            keep_for: Duration::from_secs(3600),
            max_entries: 500,
            concurrency: 2,
        }
    }
}

type Outcome = Result<Arc<ImpactView>, ComputeError>;

struct Entry {
    view: Arc<ImpactView>,
    /// What the result was computed from: a newer metric or definition makes it stale.
    versions: Versions,
    computed: Instant,
    asked: Instant,
}

pub struct ImpactActor {
    db: Database,
    flags: Flags,
    settings: ImpactSettings,
    cache: HashMap<ImpactKey, Entry>,
    /// Keys being computed, with the callers waiting for them.
    running: HashMap<ImpactKey, Vec<oneshot::Sender<Outcome>>>,
    permits: Arc<Semaphore>,
}

impl Actor for ImpactActor {
    type Context = Context<Self>;

    fn started(&mut self, ctx: &mut Self::Context) {
        ctx.set_mailbox_capacity(256);
        ctx.run_interval(self.settings.refresh_interval, |actor, ctx| {
            actor.refresh_due(ctx)
        });
    }
}

impl ImpactActor {
    /// Starts computing `key` unless it is already running; `waiter` gets the outcome.
    fn start(
        &mut self,
        key: ImpactKey,
        waiter: Option<oneshot::Sender<Outcome>>,
        ctx: &mut Context<Self>,
    ) {
        if let Some(waiters) = self.running.get_mut(&key) {
            waiters.extend(waiter);
            return;
        }
        self.running
            .insert(key.clone(), waiter.into_iter().collect());
        let (db, flags, permits) = (self.db.clone(), self.flags.clone(), self.permits.clone());
        let job_key = key.clone();
        let job = async move {
            let _permit = permits.acquire_owned().await;
            let started = Instant::now();
            let computed = compute(&db, &flags, &job_key, now_ms()).await;
            tracing::debug!(flag = %job_key.flag, metric = job_key.metric_id,
                ms = started.elapsed().as_millis() as u64, "impact computed");
            computed
        };
        ctx.spawn(
            job.into_actor(self)
                .map(move |computed, actor, _| actor.finish(key, computed)),
        );
    }

    fn finish(&mut self, key: ImpactKey, computed: Result<(ImpactView, Versions), ComputeError>) {
        let waiters = self.running.remove(&key).unwrap_or_default();
        let outcome = match computed {
            Ok((view, versions)) => {
                let view = Arc::new(view);
                let now = Instant::now();
                let asked = self.cache.get(&key).map_or(now, |e| e.asked);
                let asked = if waiters.is_empty() { asked } else { now };
                self.cache.insert(
                    key,
                    Entry {
                        view: view.clone(),
                        versions,
                        computed: now,
                        asked,
                    },
                );
                self.evict_beyond_capacity();
                Ok(view)
            }
            Err(err) => {
                if let ComputeError::Db(cause) = &err {
                    tracing::warn!(error = %cause, flag = %key.flag, "impact computation failed");
                } else {
                    self.cache.remove(&key);
                }
                Err(err)
            }
        };
        for waiter in waiters {
            // A caller that gave up meanwhile is simply not told.
            let _ = waiter.send(outcome.clone());
        }
    }

    /// Forgets results nobody asked for lately and recomputes the others that aged.
    fn refresh_due(&mut self, ctx: &mut Context<Self>) {
        let keep_for = self.settings.keep_for;
        self.cache.retain(|_, e| e.asked.elapsed() < keep_for);
        let due: Vec<ImpactKey> = self
            .cache
            .iter()
            .filter(|(key, e)| {
                e.computed.elapsed() >= self.settings.refresh_interval
                    && !self.running.contains_key(*key)
            })
            .map(|(key, _)| key.clone())
            .collect();
        for key in due {
            self.start(key, None, ctx);
        }
    }

    fn evict_beyond_capacity(&mut self) {
        while self.cache.len() > self.settings.max_entries {
            let oldest = self
                .cache
                .iter()
                .min_by_key(|(_, e)| e.asked)
                .map(|(key, _)| key.clone());
            match oldest {
                Some(key) => self.cache.remove(&key),
                None => break,
            };
        }
    }
}

/// Answers from the cache when the result is fresh, else waits for a computation.
#[derive(Message)]
#[rtype(result = "Outcome")]
struct GetImpact {
    key: ImpactKey,
    versions: Versions,
    refresh: bool,
}

impl Handler<GetImpact> for ImpactActor {
    type Result = ResponseFuture<Outcome>;

    fn handle(&mut self, msg: GetImpact, ctx: &mut Self::Context) -> Self::Result {
        let interval = self.settings.refresh_interval;
        if let Some(entry) = self.cache.get_mut(&msg.key) {
            entry.asked = Instant::now();
            let fresh = entry.versions == msg.versions && entry.computed.elapsed() < interval;
            if fresh && !msg.refresh {
                let view = entry.view.clone();
                return Box::pin(async move { Ok(view) });
            }
        }
        let (sender, receiver) = oneshot::channel();
        self.start(msg.key, Some(sender), ctx);
        Box::pin(async move {
            receiver
                .await
                .unwrap_or_else(|_| Err(ComputeError::Gone("the impact service stopped".into())))
        })
    }
}

/// Why the handle gave no impact.
#[derive(Debug, thiserror::Error)]
pub enum ImpactError {
    #[error(transparent)]
    Compute(#[from] ComputeError),
    #[error(transparent)]
    Actor(#[from] ActorError),
}

/// The typed handle.
#[derive(Clone)]
pub struct Impact {
    addr: Addr<ImpactActor>,
}

/// How long a caller waits for room in the mailbox.
const ASK_TIMEOUT: Duration = Duration::from_secs(5);
/// How long a caller waits for a computation (a million users take seconds).
const COMPUTE_TIMEOUT: Duration = Duration::from_secs(300);

impl Impact {
    pub fn start(db: Database, flags: Flags, settings: ImpactSettings) -> Impact {
        let permits = Arc::new(Semaphore::new(settings.concurrency.max(1)));
        let addr = ImpactActor {
            db,
            flags,
            settings,
            cache: HashMap::new(),
            running: HashMap::new(),
            permits,
        }
        .start();
        Impact { addr }
    }

    /// The impact for `key`, from the cache unless it is stale (older than the refresh
    /// interval, or computed from older `versions` of the metric or flag) or `refresh`.
    pub async fn get(
        &self,
        key: ImpactKey,
        versions: Versions,
        refresh: bool,
    ) -> Result<Arc<ImpactView>, ImpactError> {
        let ask = GetImpact {
            key,
            versions,
            refresh,
        };
        let answer = tokio::time::timeout(ASK_TIMEOUT + COMPUTE_TIMEOUT, self.addr.send(ask))
            .await
            .map_err(|_| ActorError::Timeout)?
            .map_err(ActorError::from)?;
        Ok(answer?)
    }
}
