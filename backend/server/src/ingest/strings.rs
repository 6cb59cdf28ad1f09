//! The cap on distinct dictionary strings (treatments, labels, event and traffic types, SDK
//! and machine strings) per environment. Each new one becomes a row of `strings` until no
//! stored row uses it, so an SDK key, which is public, must not be able to add them without
//! end.
//!
//! Counted since the server started, and counted again from the strings each environment's
//! rows still use whenever retention purges the unused ones, so strings that fell out of use
//! free their room. By 64-bit hashes with a per-process random key: about 16 bytes per
//! string, bounded by the cap itself (or by what the rows used, if that was more).

use std::collections::hash_map::RandomState;
use std::collections::{HashMap, HashSet};
use std::hash::BuildHasher;
use std::sync::{Arc, Mutex};

#[derive(Clone)]
pub struct StringBudget {
    cap: usize,
    hasher: RandomState,
    seen: Arc<Mutex<HashMap<i64, HashSet<u64>>>>,
}

impl StringBudget {
    pub fn new(cap: usize) -> StringBudget {
        StringBudget {
            cap,
            hasher: RandomState::new(),
            seen: Arc::default(),
        }
    }

    /// Admits the environment's `strings` while there is room; returns those that did not
    /// fit (new ones past the cap). Known strings are always admitted.
    pub fn admit<'a>(
        &self,
        environment_id: i64,
        strings: impl IntoIterator<Item = &'a str>,
    ) -> HashSet<String> {
        let distinct: HashSet<&str> = strings.into_iter().collect();
        let mut refused = HashSet::new();
        // A poisoned lock only means another request panicked mid-insert; the set is fine.
        let mut seen = self.seen.lock().unwrap_or_else(|e| e.into_inner());
        let known = seen.entry(environment_id).or_default();
        for value in distinct {
            let hash = self.hasher.hash_one(value);
            if known.contains(&hash) {
                continue;
            }
            if known.len() < self.cap {
                known.insert(hash);
            } else {
                refused.insert(value.to_owned());
            }
        }
        refused
    }

    /// Starts counting again from the strings each environment's rows use (`in_use`, as a
    /// purge of unused strings found them). Strings admitted while the purge ran are
    /// forgotten too; they count again when they next come.
    pub fn recount(&self, in_use: &HashMap<i64, Vec<String>>) {
        let recounted: HashMap<i64, HashSet<u64>> = in_use
            .iter()
            .map(|(env, strings)| {
                let hashes = strings.iter().map(|s| self.hasher.hash_one(s.as_str()));
                (*env, hashes.collect())
            })
            .collect();
        *self.seen.lock().unwrap_or_else(|e| e.into_inner()) = recounted;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_strings_pass_and_new_ones_past_the_cap_do_not() {
        let budget = StringBudget::new(2);
        assert!(budget.admit(1, ["on", "off", "on"]).is_empty());
        assert_eq!(
            budget.admit(1, ["on", "maybe"]),
            HashSet::from(["maybe".to_owned()])
        );
        assert!(budget.admit(2, ["maybe"]).is_empty(), "per environment");
    }

    #[test]
    fn a_recount_frees_the_room_of_strings_no_longer_used() {
        let budget = StringBudget::new(2);
        assert!(budget.admit(1, ["on", "off"]).is_empty());
        budget.recount(&HashMap::from([(1, vec!["on".to_owned()])]));
        assert!(budget.admit(1, ["on", "maybe"]).is_empty());
        assert_eq!(budget.admit(1, ["off"]), HashSet::from(["off".to_owned()]));
    }
}
