//! The flags actor: the flags of every environment and their tracking toggles. It publishes a
//! snapshot (environment → flag → state) that ingestion reads on every request; a toggle is
//! written to the database and the snapshot before the actor replies, so it holds from the
//! very next request on.

use std::collections::HashMap;
use std::sync::Arc;

use actix::prelude::*;
use arc_swap::ArcSwap;
use imprint_store::environments::Actor as ChangeActor;
use imprint_store::flags::FlagRow;
use imprint_store::{Database, DbErr};

use super::{ActorError, ACTOR_TIMEOUT};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FlagState {
    pub id: i64,
    pub tracking_enabled: bool,
}

/// environment id → flag name → state.
type FlagMap = HashMap<i64, Arc<HashMap<String, FlagState>>>;

pub struct FlagsActor {
    db: Database,
    snapshot: Arc<ArcSwap<FlagMap>>,
}

impl Actor for FlagsActor {
    type Context = Context<Self>;

    fn started(&mut self, ctx: &mut Self::Context) {
        ctx.set_mailbox_capacity(1024);
    }
}

/// Publishes `rows` into the snapshot, copying only the touched environment's map.
fn publish(snapshot: &ArcSwap<FlagMap>, environment_id: i64, rows: &[FlagRow]) {
    let current = snapshot.load();
    let mut env_flags: HashMap<String, FlagState> = current
        .get(&environment_id)
        .map(|m| (**m).clone())
        .unwrap_or_default();
    for row in rows {
        env_flags.insert(
            row.name.clone(),
            FlagState {
                id: row.id,
                tracking_enabled: row.tracking_enabled,
            },
        );
    }
    let mut next = (**current).clone();
    next.insert(environment_id, Arc::new(env_flags));
    snapshot.store(Arc::new(next));
}

/// Registers flags first seen in impressions (as observed flags, tracking on).
#[derive(Message)]
#[rtype(result = "Result<HashMap<String, FlagState>, DbErr>")]
pub struct RegisterFlags {
    pub environment_id: i64,
    pub names: Vec<String>,
}

#[derive(Message)]
#[rtype(result = "Result<FlagRow, DbErr>")]
pub struct SetTracking {
    pub actor: ChangeActor,
    pub environment_name: String,
    pub flag: FlagRow,
    pub enabled: bool,
}

impl Handler<RegisterFlags> for FlagsActor {
    type Result = AtomicResponse<Self, Result<HashMap<String, FlagState>, DbErr>>;

    fn handle(&mut self, msg: RegisterFlags, _: &mut Self::Context) -> Self::Result {
        let (db, snapshot) = (self.db.clone(), self.snapshot.clone());
        AtomicResponse::new(Box::pin(
            async move {
                // Requests queued behind another may ask for flags registered meanwhile.
                let known = snapshot.load().get(&msg.environment_id).cloned();
                let missing: Vec<String> = msg
                    .names
                    .iter()
                    .filter(|n| !known.as_ref().is_some_and(|k| k.contains_key(n.as_str())))
                    .cloned()
                    .collect();
                if !missing.is_empty() {
                    let rows = db.ensure_flags(msg.environment_id, &missing).await?;
                    publish(&snapshot, msg.environment_id, &rows);
                }
                let env_flags = snapshot
                    .load()
                    .get(&msg.environment_id)
                    .cloned()
                    .unwrap_or_default();
                Ok(msg
                    .names
                    .into_iter()
                    .filter_map(|n| env_flags.get(&n).map(|s| (n, *s)))
                    .collect())
            }
            .into_actor(self),
        ))
    }
}

impl Handler<SetTracking> for FlagsActor {
    type Result = AtomicResponse<Self, Result<FlagRow, DbErr>>;

    fn handle(&mut self, msg: SetTracking, _: &mut Self::Context) -> Self::Result {
        let (db, snapshot) = (self.db.clone(), self.snapshot.clone());
        AtomicResponse::new(Box::pin(
            async move {
                let updated = db
                    .set_tracking(&msg.actor, &msg.environment_name, &msg.flag, msg.enabled)
                    .await?;
                publish(
                    &snapshot,
                    updated.environment_id,
                    std::slice::from_ref(&updated),
                );
                Ok(updated)
            }
            .into_actor(self),
        ))
    }
}

/// The typed handle the rest of the server uses.
#[derive(Clone)]
pub struct Flags {
    addr: Addr<FlagsActor>,
    snapshot: Arc<ArcSwap<FlagMap>>,
}

impl Flags {
    pub async fn start(db: Database) -> anyhow::Result<Flags> {
        let mut map: HashMap<i64, HashMap<String, FlagState>> = HashMap::new();
        for row in db.all_flags().await? {
            map.entry(row.environment_id).or_default().insert(
                row.name,
                FlagState {
                    id: row.id,
                    tracking_enabled: row.tracking_enabled,
                },
            );
        }
        let map: FlagMap = map
            .into_iter()
            .map(|(env, flags)| (env, Arc::new(flags)))
            .collect();
        let snapshot = Arc::new(ArcSwap::from_pointee(map));
        let addr = FlagsActor {
            db,
            snapshot: snapshot.clone(),
        }
        .start();
        Ok(Flags { addr, snapshot })
    }

    /// The environment's flags as of now, from the snapshot.
    pub fn of_environment(&self, environment_id: i64) -> Arc<HashMap<String, FlagState>> {
        self.snapshot
            .load()
            .get(&environment_id)
            .cloned()
            .unwrap_or_default()
    }

    /// States of `names`, registering the ones never seen before.
    pub async fn resolve(
        &self,
        environment_id: i64,
        names: Vec<String>,
    ) -> Result<HashMap<String, FlagState>, ResolveError> {
        let known = self.of_environment(environment_id);
        if names.iter().all(|n| known.contains_key(n)) {
            return Ok(names
                .into_iter()
                .filter_map(|n| known.get(&n).map(|s| (n, *s)))
                .collect());
        }
        // Rare (a flag's first impression), so waiting for mailbox room is acceptable here.
        self.addr
            .send(RegisterFlags {
                environment_id,
                names,
            })
            .timeout(ACTOR_TIMEOUT)
            .await
            .map_err(ActorError::from)?
            .map_err(ResolveError::Db)
    }

    pub async fn set_tracking(
        &self,
        msg: SetTracking,
    ) -> Result<Result<FlagRow, DbErr>, ActorError> {
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
