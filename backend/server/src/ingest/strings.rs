//! The cap on distinct dictionary strings (treatments, labels, event and traffic types, SDK
//! and machine strings) per environment. Each new one becomes a row of `strings` for good, so
//! an SDK key, which is public, must not be able to add them without end.
//!
//! Counted since the server started, by 64-bit hashes with a per-process random key: about
//! 16 bytes per string, bounded by the cap itself.

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
}
