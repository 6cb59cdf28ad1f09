//! Repeated strings (treatments, labels, SDK versions, machines, traffic and event types) are
//! stored once in `strings` and referenced by id. Each backend's writer keeps the mapping in
//! memory; new strings are added inside the batch's transaction and remembered only once it
//! commits, so a rolled-back transaction leaves no id behind that the database forgot.
//!
//! The memory is bounded: past its capacity the mapping is forgotten whole and the strings
//! still in use are looked up again (an `INSERT … ON CONFLICT DO NOTHING` and a `SELECT` of a
//! handful of values in the next batches). Cheaper and simpler than an LRU on the hot path,
//! and only a flood of new strings, itself capped per environment, ever triggers it.
//!
//! Unused strings are purged (`crate::unused_strings`), so a remembered id may stop existing.
//! Each transaction first reads the purge generation, under a lock a purge cannot take while
//! any writer's transaction runs; a new generation means a purge began since the ids were
//! learnt, and they are all forgotten. A string looked up again is marked with the
//! generation, which keeps the running purge from deleting it.

// Strings are hashed twice per value and row on the writer's hot path; foldhash is several
// times faster than SipHash on short strings, and the ids map is not exposed to attackers'
// choice of collisions any more than the dictionary's size already allows.
use foldhash::HashMap;

use super::WriteBatch;

#[derive(Debug)]
pub struct Dictionary {
    ids: HashMap<String, i64>,
    capacity: usize,
    /// The purge generation the ids were learnt in; `None` before the first transaction.
    generation: Option<i64>,
}

impl Default for Dictionary {
    fn default() -> Self {
        Dictionary::with_capacity(Self::DEFAULT_CAPACITY)
    }
}

/// Strings added by a transaction that has not committed yet.
#[derive(Debug, Default)]
pub struct Pending {
    ids: HashMap<String, i64>,
}

impl Pending {
    pub fn insert(&mut self, value: String, id: i64) {
        self.ids.insert(value, id);
    }
}

impl Dictionary {
    pub const DEFAULT_CAPACITY: usize = 200_000;

    pub fn with_capacity(capacity: usize) -> Dictionary {
        Dictionary {
            ids: HashMap::default(),
            capacity: capacity.max(1),
            generation: None,
        }
    }

    /// Called at the start of each transaction with the generation it read: the ids learnt
    /// before a purge began are forgotten, since it may delete any string they name.
    pub fn follow(&mut self, generation: i64) {
        if self.generation != Some(generation) {
            self.ids = HashMap::default();
            self.generation = Some(generation);
        }
    }

    /// The generation strings looked up in this transaction are marked with.
    pub fn generation(&self) -> i64 {
        self.generation.unwrap_or_default()
    }

    /// The batch's strings that have no id yet, sorted and without duplicates.
    pub fn missing<'a>(&self, batch: &'a WriteBatch) -> Vec<&'a str> {
        let mut missing: Vec<&str> = strings_of(batch)
            .filter(|v| !self.ids.contains_key(*v))
            .collect();
        missing.sort_unstable();
        missing.dedup();
        missing
    }

    pub fn commit(&mut self, pending: Pending) {
        if self.ids.len() + pending.ids.len() > self.capacity {
            self.ids = HashMap::default();
        }
        self.ids.extend(pending.ids);
    }
}

/// Ids for one transaction: the committed ones and those it added.
pub struct Ids<'a> {
    dictionary: &'a Dictionary,
    pending: &'a Pending,
}

impl<'a> Ids<'a> {
    pub fn new(dictionary: &'a Dictionary, pending: &'a Pending) -> Ids<'a> {
        Ids {
            dictionary,
            pending,
        }
    }

    /// The id of a string of the batch. Every such string was resolved before the rows are
    /// written, so `None` only comes from a `None` value.
    pub fn of(&self, value: Option<&str>) -> Option<i64> {
        let value = value?;
        self.dictionary
            .ids
            .get(value)
            .or_else(|| self.pending.ids.get(value))
            .copied()
    }
}

/// Every dictionary-encoded string of the batch, duplicates included.
fn strings_of(batch: &WriteBatch) -> impl Iterator<Item = &str> {
    let from_impressions = batch.impressions.iter().flat_map(|r| {
        let i = &r.impression;
        [
            Some(i.treatment.as_str()),
            i.label.as_deref(),
            i.sdk.as_deref(),
            i.machine_ip.as_deref(),
            i.machine_name.as_deref(),
            i.traffic_type.as_deref(),
            r.impressions_mode.as_deref(),
        ]
    });
    let from_events = batch.events.iter().flat_map(|r| {
        let e = &r.event;
        [
            Some(e.event_type.as_str()),
            e.traffic_type.as_deref(),
            e.sdk.as_deref(),
            e.machine_ip.as_deref(),
            e.machine_name.as_deref(),
            None,
            None,
        ]
    });
    let from_counts = batch.counts.iter().map(|c| c.treatment.as_deref());
    from_impressions
        .chain(from_events)
        .chain(from_counts)
        .flatten()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ingest::CountDelta;

    #[test]
    fn only_unknown_strings_are_missing_and_pending_ones_resolve() {
        let batch = WriteBatch {
            counts: ["on", "off", "on"]
                .into_iter()
                .map(|t| CountDelta {
                    environment_id: 1,
                    flag_id: 1,
                    hour: 0,
                    treatment: Some(t.into()),
                    count: 1,
                })
                .collect(),
            ..WriteBatch::default()
        };
        let mut dictionary = Dictionary::default();
        let mut known = Pending::default();
        known.insert("on".into(), 1);
        dictionary.commit(known);
        assert_eq!(dictionary.missing(&batch), vec!["off"]);

        let mut pending = Pending::default();
        pending.insert("off".into(), 2);
        let ids = Ids::new(&dictionary, &pending);
        assert_eq!(ids.of(Some("on")), Some(1));
        assert_eq!(ids.of(Some("off")), Some(2));
        assert_eq!(ids.of(None), None);
    }

    #[test]
    fn a_full_dictionary_forgets_and_starts_again() {
        let mut dictionary = Dictionary::with_capacity(2);
        for (i, value) in ["a", "b", "c"].into_iter().enumerate() {
            let mut pending = Pending::default();
            pending.insert(value.into(), i as i64);
            dictionary.commit(pending);
        }
        assert_eq!(dictionary.ids.len(), 1);
    }

    #[test]
    fn a_new_purge_generation_forgets_every_id() {
        let mut dictionary = Dictionary::default();
        dictionary.follow(3);
        let mut pending = Pending::default();
        pending.insert("on".into(), 1);
        dictionary.commit(pending);
        dictionary.follow(3);
        assert_eq!(dictionary.ids.len(), 1, "the same generation keeps them");
        dictionary.follow(4);
        assert!(dictionary.ids.is_empty());
        assert_eq!(dictionary.generation(), 4);
    }
}
