//! The per-environment bounds of ingestion: flags an SDK may register, and the messages of
//! the items refused past the bounds.

use std::collections::{HashMap, HashSet};

use super::{Ingest, IngestError};
use crate::actors::environments::EnvInfo;
use crate::actors::flags::FlagState;

impl Ingest {
    /// The states of the flags named, registering unknown ones while the environment has
    /// room for them. Flags that did not fit are absent from the answer.
    pub(super) async fn flag_states<'a>(
        &self,
        env: &EnvInfo,
        names: impl Iterator<Item = &'a str>,
    ) -> Result<HashMap<String, FlagState>, IngestError> {
        let distinct: HashSet<&str> = names.collect();
        let known = self.flags.of_environment(env.id);
        let room = self
            .bounds
            .max_flags_per_environment
            .saturating_sub(known.len());
        let mut unknown: Vec<&str> = distinct
            .iter()
            .filter(|n| !known.contains_key(**n))
            .copied()
            .collect();
        if unknown.len() > room {
            // Sorted, so which flags fit does not depend on hashing.
            unknown.sort_unstable();
            unknown.truncate(room);
        }
        if unknown.is_empty() {
            // Nothing to register: no trip through the flags actor.
            return Ok(distinct
                .into_iter()
                .filter_map(|n| known.get(n).map(|s| (n.to_owned(), s.clone())))
                .collect());
        }
        let names = distinct
            .iter()
            .filter(|n| known.contains_key(**n))
            .chain(unknown.iter())
            .map(|n| (*n).to_owned())
            .collect();
        self.flags
            .resolve(env.id, names, self.bounds.max_flags_per_environment)
            .await
            .map_err(IngestError::from)
    }

    pub(super) fn too_many_flags(&self) -> String {
        format!(
            "The environment already has {} flags (max_flags_per_environment); an SDK cannot \
             register another one.",
            self.bounds.max_flags_per_environment
        )
    }

    pub(super) fn too_many_strings(&self) -> String {
        format!(
            "The item brings a new treatment, label, type or SDK string, and the environment \
             already has {} (max_distinct_strings_per_environment).",
            self.bounds.max_distinct_strings_per_environment
        )
    }
}
