//! When each environment last received impressions from an SDK, for the live tail's
//! diagnostic ("no SDK has posted in the last N minutes"). Kept in memory: after a restart
//! it is simply unknown until the next post.

use std::collections::HashMap;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, RwLock};

#[derive(Clone, Default)]
pub struct Activity {
    last_post: Arc<RwLock<HashMap<i64, Arc<AtomicI64>>>>,
}

impl Activity {
    /// Records a post now. The common case takes only a read lock and an atomic store.
    pub fn touch(&self, environment_id: i64, now: i64) {
        if let Ok(map) = self.last_post.read() {
            if let Some(at) = map.get(&environment_id) {
                at.store(now, Ordering::Relaxed);
                return;
            }
        }
        if let Ok(mut map) = self.last_post.write() {
            map.entry(environment_id)
                .or_default()
                .store(now, Ordering::Relaxed);
        }
    }

    pub fn last_post(&self, environment_id: i64) -> Option<i64> {
        let map = self.last_post.read().ok()?;
        map.get(&environment_id)
            .map(|at| at.load(Ordering::Relaxed))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn remembers_the_latest_post_per_environment() {
        let activity = Activity::default();
        assert_eq!(activity.last_post(1), None);
        activity.touch(1, 10);
        activity.touch(1, 20);
        assert_eq!(activity.last_post(1), Some(20));
        assert_eq!(activity.last_post(2), None);
    }
}
