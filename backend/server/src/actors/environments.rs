//! The environments actor: environments and their SDK keys. It publishes a snapshot mapping
//! key hashes to environments, which every SDK request reads without touching the mailbox.

use std::collections::HashMap;
use std::sync::Arc;

use actix::prelude::*;
use arc_swap::ArcSwap;
use imprint_store::environments::{
    allowed_origins, Actor as ChangeActor, EnvironmentChange, EnvironmentRow, NewSdkKey, SdkKeyRow,
};
use imprint_store::{Database, DbErr};
use imprint_types::SdkKeyKind;

use super::{ActorError, ACTOR_TIMEOUT};
use crate::auth::secrets::{hash_secret, new_secret};

/// What the hot path needs to know about an environment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnvInfo {
    pub id: i64,
    pub name: String,
    pub retention_days: i32,
    /// Web origins the keys may be used from; empty means any.
    pub allowed_origins: Vec<String>,
}

#[derive(Debug, Clone)]
pub struct KeyInfo {
    pub environment: Arc<EnvInfo>,
    pub kind: SdkKeyKind,
}

#[derive(Debug, Default)]
pub struct EnvSnapshot {
    keys: HashMap<String, KeyInfo>,
    by_name: HashMap<String, Arc<EnvInfo>>,
}

impl EnvSnapshot {
    fn build(envs: &[EnvironmentRow], keys: &[SdkKeyRow]) -> Self {
        let by_id: HashMap<i64, Arc<EnvInfo>> = envs
            .iter()
            .map(|e| {
                let info = EnvInfo {
                    id: e.id,
                    name: e.name.clone(),
                    retention_days: e.retention_days,
                    allowed_origins: allowed_origins(e),
                };
                (e.id, Arc::new(info))
            })
            .collect();
        let keys = keys
            .iter()
            .filter_map(|k| {
                let environment = by_id.get(&k.environment_id)?.clone();
                let kind = SdkKeyKind::parse(&k.kind)?;
                Some((k.key_hash.clone(), KeyInfo { environment, kind }))
            })
            .collect();
        let by_name = by_id
            .values()
            .map(|e| (e.name.clone(), e.clone()))
            .collect();
        EnvSnapshot { keys, by_name }
    }

    /// This snapshot without one key: what a committed revocation publishes at once, whatever
    /// becomes of the full reload after it.
    fn without_key(&self, key_hash: &str) -> EnvSnapshot {
        let mut keys = self.keys.clone();
        keys.remove(key_hash);
        EnvSnapshot {
            keys,
            by_name: self.by_name.clone(),
        }
    }
}

pub struct EnvironmentsActor {
    db: Database,
    snapshot: Arc<ArcSwap<EnvSnapshot>>,
}

impl Actor for EnvironmentsActor {
    type Context = Context<Self>;

    fn started(&mut self, ctx: &mut Self::Context) {
        ctx.set_mailbox_capacity(256);
    }
}

impl EnvironmentsActor {
    async fn reload(db: Database, snapshot: Arc<ArcSwap<EnvSnapshot>>) -> Result<(), DbErr> {
        let envs = db.list_environments().await?;
        let keys = db.all_live_sdk_keys().await?;
        snapshot.store(Arc::new(EnvSnapshot::build(&envs, &keys)));
        Ok(())
    }
}

/// A plaintext key and the row that stores its hash.
fn generate_key(kind: SdkKeyKind) -> (String, String, String) {
    let prefix = match kind {
        SdkKeyKind::Server => "imp_srv_",
        SdkKeyKind::Client => "imp_cli_",
    };
    let key = new_secret(prefix);
    let hint = key
        .chars()
        .rev()
        .take(4)
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect();
    (hash_secret(&key), hint, key)
}

/// Creates an environment with one server-side and one client-side key.
#[derive(Message)]
#[rtype(result = "Result<(EnvironmentRow, Vec<(SdkKeyRow, String)>), DbErr>")]
pub struct CreateEnvironment {
    pub actor: ChangeActor,
    pub name: String,
    pub retention_days: i32,
}

#[derive(Message)]
#[rtype(result = "Result<EnvironmentRow, DbErr>")]
pub struct UpdateEnvironment {
    pub actor: ChangeActor,
    pub current: EnvironmentRow,
    pub change: EnvironmentChange,
}

#[derive(Message)]
#[rtype(result = "Result<(SdkKeyRow, String), DbErr>")]
pub struct CreateKey {
    pub actor: ChangeActor,
    pub environment: EnvironmentRow,
    pub kind: SdkKeyKind,
}

#[derive(Message)]
#[rtype(result = "Result<Option<SdkKeyRow>, DbErr>")]
pub struct RevokeKey {
    pub actor: ChangeActor,
    pub environment: EnvironmentRow,
    pub key_id: i64,
}

impl Handler<CreateEnvironment> for EnvironmentsActor {
    type Result = AtomicResponse<Self, Result<(EnvironmentRow, Vec<(SdkKeyRow, String)>), DbErr>>;

    fn handle(&mut self, msg: CreateEnvironment, _: &mut Self::Context) -> Self::Result {
        let (db, snapshot) = (self.db.clone(), self.snapshot.clone());
        AtomicResponse::new(Box::pin(
            async move {
                let generated: Vec<_> = [SdkKeyKind::Server, SdkKeyKind::Client]
                    .into_iter()
                    .map(|kind| (kind, generate_key(kind)))
                    .collect();
                let new_keys: Vec<NewSdkKey> = generated
                    .iter()
                    .map(|(kind, (hash, hint, _))| NewSdkKey {
                        kind: kind.as_str(),
                        key_hash: hash,
                        hint,
                    })
                    .collect();
                let (env, rows) = db
                    .create_environment(&msg.actor, &msg.name, msg.retention_days, &new_keys)
                    .await?;
                Self::reload(db, snapshot).await?;
                let keys = rows
                    .into_iter()
                    .zip(generated.into_iter().map(|(_, (_, _, key))| key))
                    .collect();
                Ok((env, keys))
            }
            .into_actor(self),
        ))
    }
}

impl Handler<UpdateEnvironment> for EnvironmentsActor {
    type Result = AtomicResponse<Self, Result<EnvironmentRow, DbErr>>;

    fn handle(&mut self, msg: UpdateEnvironment, _: &mut Self::Context) -> Self::Result {
        let (db, snapshot) = (self.db.clone(), self.snapshot.clone());
        AtomicResponse::new(Box::pin(
            async move {
                let updated = db
                    .update_environment(&msg.actor, &msg.current, &msg.change)
                    .await?;
                Self::reload(db, snapshot).await?;
                Ok(updated)
            }
            .into_actor(self),
        ))
    }
}

impl Handler<CreateKey> for EnvironmentsActor {
    type Result = AtomicResponse<Self, Result<(SdkKeyRow, String), DbErr>>;

    fn handle(&mut self, msg: CreateKey, _: &mut Self::Context) -> Self::Result {
        let (db, snapshot) = (self.db.clone(), self.snapshot.clone());
        AtomicResponse::new(Box::pin(
            async move {
                let (hash, hint, key) = generate_key(msg.kind);
                let new_key = NewSdkKey {
                    kind: msg.kind.as_str(),
                    key_hash: &hash,
                    hint: &hint,
                };
                let row = db
                    .create_sdk_key(&msg.actor, &msg.environment, new_key)
                    .await?;
                Self::reload(db, snapshot).await?;
                Ok((row, key))
            }
            .into_actor(self),
        ))
    }
}

impl Handler<RevokeKey> for EnvironmentsActor {
    type Result = AtomicResponse<Self, Result<Option<SdkKeyRow>, DbErr>>;

    fn handle(&mut self, msg: RevokeKey, _: &mut Self::Context) -> Self::Result {
        let (db, snapshot) = (self.db.clone(), self.snapshot.clone());
        AtomicResponse::new(Box::pin(
            async move {
                let revoked = db
                    .revoke_sdk_key(&msg.actor, &msg.environment, msg.key_id)
                    .await?;
                let Some(row) = revoked else {
                    return Ok(None);
                };
                // The revocation is committed: the key stops working now, even if the reload
                // below fails (it would otherwise stay in the snapshot until the next one).
                let current = snapshot.load_full();
                snapshot.store(Arc::new(current.without_key(&row.key_hash)));
                if let Err(error) = Self::reload(db, snapshot).await {
                    tracing::error!(%error, key_id = row.id,
                        "the key is revoked and refused, but the environments snapshot could not be reloaded");
                }
                Ok(Some(row))
            }
            .into_actor(self),
        ))
    }
}

/// The typed handle the rest of the server uses.
#[derive(Clone)]
pub struct Environments {
    addr: Addr<EnvironmentsActor>,
    snapshot: Arc<ArcSwap<EnvSnapshot>>,
}

impl Environments {
    /// Loads the snapshot, then starts the actor. Must run inside an actix system.
    pub async fn start(db: Database) -> anyhow::Result<Environments> {
        let snapshot = Arc::new(ArcSwap::from_pointee(EnvSnapshot::default()));
        EnvironmentsActor::reload(db.clone(), snapshot.clone()).await?;
        let addr = EnvironmentsActor {
            db,
            snapshot: snapshot.clone(),
        }
        .start();
        Ok(Environments { addr, snapshot })
    }

    /// The environment and kind of a plaintext SDK key, from the snapshot.
    pub fn by_key(&self, key: &str) -> Option<KeyInfo> {
        self.snapshot.load().keys.get(&hash_secret(key)).cloned()
    }

    pub fn by_name(&self, name: &str) -> Option<Arc<EnvInfo>> {
        self.snapshot.load().by_name.get(name).cloned()
    }

    pub async fn call<M>(&self, msg: M) -> Result<M::Result, ActorError>
    where
        M: Message + Send + 'static,
        M::Result: Send,
        EnvironmentsActor: Handler<M>,
    {
        Ok(self.addr.send(msg).timeout(ACTOR_TIMEOUT).await?)
    }
}
