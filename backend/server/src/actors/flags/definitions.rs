//! Definition changes: create, replace, kill, restore, each checked against the change
//! number the client last saw.

use actix::prelude::*;
use imprint_domain::definitions::FlagDefinition;
use imprint_store::definitions::{DefinitionChange, SaveOutcome};
use imprint_store::environments::Actor as ChangeActor;
use imprint_store::flags::FlagRow;
use imprint_store::DbErr;

use super::FlagsActor;

/// Creates, replaces, kills or restores a definition; the store gives it the next change
/// number. The read-modify-write of a kill or restore happens here, inside the actor, so it
/// always starts from the newest definition and never undoes a concurrent edit.
#[derive(Message)]
#[rtype(result = "Result<FlagRow, SaveError>")]
pub struct SaveDefinition {
    pub actor: ChangeActor,
    pub environment_id: i64,
    pub environment_name: String,
    pub flag_name: String,
    pub edit: DefinitionEdit,
    /// The flag's change number the client last saw, when it sent one: if the flag has
    /// changed since, nothing is saved and the answer is a conflict.
    pub expected_change_number: Option<i64>,
    /// For the audit log: `flag.create`, `flag.update`, `flag.kill`, `flag.import`, ...
    pub action: &'static str,
}

#[derive(Debug, Clone)]
pub enum DefinitionEdit {
    /// The whole definition, as given.
    Replace(Box<FlagDefinition>),
    /// The current definition, killed (`true`) or restored.
    SetKilled(bool),
}

#[derive(Debug, thiserror::Error)]
pub enum SaveError {
    #[error("flag `{flag}` has changed since the change number this edit was made against")]
    Conflict { flag: String, current: Option<i64> },
    #[error("flag `{0}` has no definition to kill or restore")]
    NoDefinition(String),
    #[error(transparent)]
    Db(#[from] DbErr),
}

impl Handler<SaveDefinition> for FlagsActor {
    type Result = AtomicResponse<FlagsActor, Result<FlagRow, SaveError>>;

    fn handle(&mut self, msg: SaveDefinition, _: &mut Self::Context) -> Self::Result {
        let (db, snapshots) = (self.db.clone(), self.snapshots.clone());
        AtomicResponse::new(Box::pin(
            async move {
                // Every change of a flag goes through this actor and republishes the catalog
                // before replying, so the catalog holds the newest definition here.
                let catalog = snapshots.catalogs.load().get(&msg.environment_id).cloned();
                let current = catalog
                    .as_ref()
                    .and_then(|c| c.definitions.get(&msg.flag_name));
                let (definition, expected) = match msg.edit {
                    DefinitionEdit::Replace(definition) => {
                        (*definition, msg.expected_change_number)
                    }
                    DefinitionEdit::SetKilled(killed) => {
                        let mut definition = current
                            .cloned()
                            .ok_or_else(|| SaveError::NoDefinition(msg.flag_name.clone()))?;
                        definition.killed = killed;
                        // Without the client's number, the store still checks against the one
                        // this edit started from.
                        let expected = msg
                            .expected_change_number
                            .or(Some(definition.change_number));
                        (definition, expected)
                    }
                };
                let mut definition = definition
                    .without_key_revealing_labels()
                    .with_materialised_labels();
                definition.name = msg.flag_name.clone();
                let render = |change_number: i64| {
                    let mut stored = definition.clone();
                    stored.change_number = change_number;
                    // Plain data with string keys: serialising it cannot fail.
                    serde_json::to_string(&stored).unwrap_or_default()
                };
                let outcome = db
                    .save_definition(DefinitionChange {
                        actor: &msg.actor,
                        environment_name: &msg.environment_name,
                        environment_id: msg.environment_id,
                        flag_name: &msg.flag_name,
                        action: msg.action,
                        definition: &render,
                        expected_change_number: expected,
                    })
                    .await?;
                let row = match outcome {
                    SaveOutcome::Saved(row) => row,
                    SaveOutcome::Conflict {
                        current_change_number,
                    } => {
                        return Err(SaveError::Conflict {
                            flag: msg.flag_name,
                            current: current_change_number,
                        })
                    }
                };
                snapshots.publish_flags(msg.environment_id, std::slice::from_ref(&row), None);
                snapshots.rebuild_catalog(&db, msg.environment_id).await?;
                Ok(row)
            }
            .into_actor(self),
        ))
    }
}
