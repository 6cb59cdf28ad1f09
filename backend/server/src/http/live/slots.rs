//! Caps on open live tails, per user and per server: each tail holds a task, a broadcast
//! subscription and a buffer, so their number must be bounded. A slot is held for as long as
//! its tail runs and given back when the tail ends, however it ends.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use crate::http::ApiError;

#[derive(Default)]
struct Open {
    total: usize,
    per_user: HashMap<i64, usize>,
}

#[derive(Clone)]
pub struct TailSlots {
    per_user: usize,
    per_server: usize,
    open: Arc<Mutex<Open>>,
}

/// An open tail's place; dropping it frees the place.
pub struct TailSlot {
    user_id: i64,
    open: Arc<Mutex<Open>>,
}

impl TailSlots {
    pub fn new(per_user: usize, per_server: usize) -> Self {
        TailSlots {
            per_user,
            per_server,
            open: Arc::default(),
        }
    }

    /// A place for one more tail of this user, or 429 naming the limit reached.
    pub fn take(&self, user_id: i64) -> Result<TailSlot, ApiError> {
        let mut open = self.open.lock().unwrap_or_else(|p| p.into_inner());
        let refuse = |message: String| ApiError::TooManyRequests {
            message,
            retry_after: Duration::from_secs(5),
        };
        if open.total >= self.per_server {
            return Err(refuse(format!(
                "the server has its maximum of {} live tails open (IMPRINT_LIVE_TAILS_PER_SERVER): \
                 retry later",
                self.per_server
            )));
        }
        let mine = open.per_user.get(&user_id).copied().unwrap_or(0);
        if mine >= self.per_user {
            return Err(refuse(format!(
                "you have {mine} live tails open, the most allowed (IMPRINT_LIVE_TAILS_PER_USER): \
                 close one first"
            )));
        }
        open.total += 1;
        *open.per_user.entry(user_id).or_insert(0) += 1;
        Ok(TailSlot {
            user_id,
            open: self.open.clone(),
        })
    }
}

impl Drop for TailSlot {
    fn drop(&mut self) {
        let mut open = self.open.lock().unwrap_or_else(|p| p.into_inner());
        open.total = open.total.saturating_sub(1);
        if let Some(mine) = open.per_user.get_mut(&self.user_id) {
            *mine = mine.saturating_sub(1);
            if *mine == 0 {
                open.per_user.remove(&self.user_id);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slots_are_capped_per_user_and_server_and_come_back_when_dropped() {
        let slots = TailSlots::new(2, 3);
        let a1 = slots.take(1).unwrap();
        let _a2 = slots.take(1).unwrap();
        assert!(slots.take(1).is_err(), "per user");
        let _b1 = slots.take(2).unwrap();
        assert!(slots.take(3).is_err(), "per server");
        drop(a1);
        assert!(slots.take(1).is_ok());
    }
}
