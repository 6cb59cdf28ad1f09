//! The flags actor: every environment's flags, their tracking toggles, definitions and
//! segments. It publishes two snapshots, read without queueing behind the mailbox:
//! - environment → flag → state (id, tracking), read by ingestion on every request;
//! - environment → catalog (definitions, segments, serialised SDK feed), read by the SDK feed
//!   and by evaluations.
//!
//! Every change is written to the database and both snapshots are republished before the
//! actor replies, so it holds from the very next request.

mod catalog;
mod definitions;
mod tracking;

use std::collections::HashMap;
use std::sync::Arc;

use actix::prelude::*;
use arc_swap::ArcSwap;
use imprint_store::definitions::SegmentRow;
use imprint_store::environments::Actor as ChangeActor;
use imprint_store::flags::{FlagRow, TrackingChangeRow};
use imprint_store::{Database, DbErr};

pub use catalog::{EnvCatalog, FeedFilter};
pub use definitions::{DefinitionEdit, SaveDefinition, SaveError};
pub use tracking::TrackingHistory;

use super::{ActorError, ACTOR_TIMEOUT};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FlagState {
    pub id: i64,
    /// The toggle now (what the SDK feed and the live tail's diagnostics show).
    pub tracking_enabled: bool,
    /// The toggle over time, which decides whether an impression is stored.
    pub tracking_history: TrackingHistory,
}

impl FlagState {
    /// Whether an impression evaluated at `at` (ms) is to be stored.
    pub fn tracking_at(&self, at: i64) -> bool {
        self.tracking_history.enabled_at(at)
    }
}

/// environment id → flag name → state.
type FlagMap = HashMap<i64, Arc<HashMap<String, FlagState>>>;
/// environment id → catalog.
type CatalogMap = HashMap<i64, Arc<EnvCatalog>>;

#[derive(Clone)]
struct Snapshots {
    flags: Arc<ArcSwap<FlagMap>>,
    catalogs: Arc<ArcSwap<CatalogMap>>,
}

impl Snapshots {
    /// Publishes `rows` into the flag map, copying only the touched environment's map. A
    /// flag keeps its tracking history, extended by `tracking_change` when there is one.
    fn publish_flags(
        &self,
        environment_id: i64,
        rows: &[FlagRow],
        tracking_change: Option<&TrackingChangeRow>,
    ) {
        let current = self.flags.load();
        let mut env_flags: HashMap<String, FlagState> = current
            .get(&environment_id)
            .map(|m| (**m).clone())
            .unwrap_or_default();
        for row in rows {
            let mut history = env_flags
                .get(&row.name)
                .map(|known| known.tracking_history.clone())
                .unwrap_or_default();
            if let Some(change) = tracking_change.filter(|c| c.flag_id == row.id) {
                history = history.with_change(change.changed_at, change.enabled);
            }
            env_flags.insert(
                row.name.clone(),
                FlagState {
                    id: row.id,
                    tracking_enabled: row.tracking_enabled,
                    tracking_history: history,
                },
            );
        }
        let mut next = (**current).clone();
        next.insert(environment_id, Arc::new(env_flags));
        self.flags.store(Arc::new(next));
    }

    async fn rebuild_catalog(&self, db: &Database, environment_id: i64) -> Result<(), DbErr> {
        let catalog = EnvCatalog::load(db, environment_id).await?;
        let mut next = (**self.catalogs.load()).clone();
        next.insert(environment_id, Arc::new(catalog));
        self.catalogs.store(Arc::new(next));
        Ok(())
    }
}

pub struct FlagsActor {
    db: Database,
    snapshots: Snapshots,
}

impl Actor for FlagsActor {
    type Context = Context<Self>;

    fn started(&mut self, ctx: &mut Self::Context) {
        ctx.set_mailbox_capacity(1024);
    }
}

/// Registers flags first seen in impressions (as observed flags, tracking on), while the
/// environment has fewer than `max_flags`; names that did not fit are absent from the answer.
#[derive(Message)]
#[rtype(result = "Result<HashMap<String, FlagState>, DbErr>")]
pub struct RegisterFlags {
    pub environment_id: i64,
    pub names: Vec<String>,
    pub max_flags: usize,
}

/// Flags registered per statement: six bound values each stay far below SQLite's limit.
const REGISTER_CHUNK: usize = 500;

#[derive(Message)]
#[rtype(result = "Result<FlagRow, DbErr>")]
pub struct SetTracking {
    pub actor: ChangeActor,
    pub environment_name: String,
    pub flag: FlagRow,
    pub enabled: bool,
}

#[derive(Message)]
#[rtype(result = "Result<SegmentRow, DbErr>")]
pub struct SaveSegment {
    pub actor: ChangeActor,
    pub environment_id: i64,
    pub environment_name: String,
    pub name: String,
    pub description: String,
    pub keys: Vec<String>,
}

type Reply<T> = AtomicResponse<FlagsActor, Result<T, DbErr>>;

impl Handler<RegisterFlags> for FlagsActor {
    type Result = Reply<HashMap<String, FlagState>>;

    fn handle(&mut self, msg: RegisterFlags, _: &mut Self::Context) -> Self::Result {
        let (db, snapshots) = (self.db.clone(), self.snapshots.clone());
        AtomicResponse::new(Box::pin(
            async move {
                // Requests queued behind another may ask for flags registered meanwhile.
                let known = snapshots.flags.load().get(&msg.environment_id).cloned();
                let mut missing: Vec<String> = msg
                    .names
                    .iter()
                    .filter(|n| !known.as_ref().is_some_and(|k| k.contains_key(n.as_str())))
                    .cloned()
                    .collect();
                // Checked here too, where registrations are serialised, so concurrent
                // requests cannot overshoot the cap together.
                let room = msg
                    .max_flags
                    .saturating_sub(known.as_ref().map_or(0, |k| k.len()));
                missing.truncate(room);
                for chunk in missing.chunks(REGISTER_CHUNK) {
                    let rows = db.ensure_flags(msg.environment_id, chunk).await?;
                    snapshots.publish_flags(msg.environment_id, &rows, None);
                }
                let env_flags = snapshots
                    .flags
                    .load()
                    .get(&msg.environment_id)
                    .cloned()
                    .unwrap_or_default();
                Ok(msg
                    .names
                    .into_iter()
                    .filter_map(|n| env_flags.get(&n).map(|s| (n, s.clone())))
                    .collect())
            }
            .into_actor(self),
        ))
    }
}

impl Handler<SetTracking> for FlagsActor {
    type Result = Reply<FlagRow>;

    fn handle(&mut self, msg: SetTracking, _: &mut Self::Context) -> Self::Result {
        let (db, snapshots) = (self.db.clone(), self.snapshots.clone());
        AtomicResponse::new(Box::pin(
            async move {
                let (updated, change) = db
                    .set_tracking(&msg.actor, &msg.environment_name, &msg.flag, msg.enabled)
                    .await?;
                snapshots.publish_flags(
                    updated.environment_id,
                    std::slice::from_ref(&updated),
                    Some(&change),
                );
                // The feed carries the toggle as `impressionsDisabled`.
                snapshots
                    .rebuild_catalog(&db, updated.environment_id)
                    .await?;
                Ok(updated)
            }
            .into_actor(self),
        ))
    }
}

impl Handler<SaveSegment> for FlagsActor {
    type Result = Reply<SegmentRow>;

    fn handle(&mut self, msg: SaveSegment, _: &mut Self::Context) -> Self::Result {
        let (db, snapshots) = (self.db.clone(), self.snapshots.clone());
        AtomicResponse::new(Box::pin(
            async move {
                let row = db
                    .save_segment(
                        &msg.actor,
                        &msg.environment_name,
                        msg.environment_id,
                        &msg.name,
                        &msg.description,
                        &msg.keys,
                    )
                    .await?;
                snapshots.rebuild_catalog(&db, msg.environment_id).await?;
                Ok(row)
            }
            .into_actor(self),
        ))
    }
}

/// The typed handle the rest of the server uses.
#[derive(Clone)]
pub struct Flags {
    addr: Addr<FlagsActor>,
    snapshots: Snapshots,
}

impl Flags {
    pub async fn start(db: Database) -> anyhow::Result<Flags> {
        let mut changes: HashMap<i64, Vec<TrackingChangeRow>> = HashMap::new();
        for change in db.all_tracking_changes().await? {
            changes.entry(change.flag_id).or_default().push(change);
        }
        let mut map: HashMap<i64, HashMap<String, FlagState>> = HashMap::new();
        for row in db.all_flags().await? {
            let history = changes
                .get(&row.id)
                .map(|c| TrackingHistory::from_changes(c))
                .unwrap_or_default();
            map.entry(row.environment_id).or_default().insert(
                row.name,
                FlagState {
                    id: row.id,
                    tracking_enabled: row.tracking_enabled,
                    tracking_history: history,
                },
            );
        }
        let map: FlagMap = map
            .into_iter()
            .map(|(env, flags)| (env, Arc::new(flags)))
            .collect();
        let mut catalogs = CatalogMap::new();
        for env in db.list_environments().await? {
            catalogs.insert(env.id, Arc::new(EnvCatalog::load(&db, env.id).await?));
        }
        let snapshots = Snapshots {
            flags: Arc::new(ArcSwap::from_pointee(map)),
            catalogs: Arc::new(ArcSwap::from_pointee(catalogs)),
        };
        let addr = FlagsActor {
            db,
            snapshots: snapshots.clone(),
        }
        .start();
        Ok(Flags { addr, snapshots })
    }

    /// The environment's flags as of now, from the snapshot.
    pub fn of_environment(&self, environment_id: i64) -> Arc<HashMap<String, FlagState>> {
        self.snapshots
            .flags
            .load()
            .get(&environment_id)
            .cloned()
            .unwrap_or_default()
    }

    /// The environment's definitions, segments and feed as of now.
    pub fn catalog(&self, environment_id: i64) -> Arc<EnvCatalog> {
        self.snapshots
            .catalogs
            .load()
            .get(&environment_id)
            .cloned()
            .unwrap_or_default()
    }

    /// States of `names`, registering the ones never seen before while the environment has
    /// fewer than `max_flags` flags.
    pub async fn resolve(
        &self,
        environment_id: i64,
        names: Vec<String>,
        max_flags: usize,
    ) -> Result<HashMap<String, FlagState>, ResolveError> {
        let known = self.of_environment(environment_id);
        if names.iter().all(|n| known.contains_key(n)) {
            return Ok(names
                .into_iter()
                .filter_map(|n| known.get(&n).map(|s| (n, s.clone())))
                .collect());
        }
        // Rare (a flag's first impression), so waiting for mailbox room is acceptable here.
        self.call(RegisterFlags {
            environment_id,
            names,
            max_flags,
        })
        .await?
        .map_err(ResolveError::Db)
    }

    pub async fn call<M>(&self, msg: M) -> Result<M::Result, ActorError>
    where
        M: Message + Send + 'static,
        M::Result: Send,
        FlagsActor: Handler<M>,
    {
        Ok(self.addr.send(msg).timeout(ACTOR_TIMEOUT).await?)
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ResolveError {
    #[error(transparent)]
    Actor(#[from] ActorError),
    #[error(transparent)]
    Db(DbErr),
}
