//! Slows down password guessing with growing delays instead of hard lockouts.
//!
//! Failures are counted twice: per account, whatever address they come from (so guessing
//! from many addresses gains nothing), and per address, whatever account they try (so one
//! address cannot spray many accounts). Past a few free failures, each try must wait a delay
//! that doubles with every further failure, up to a ceiling: the owner of an attacked account
//! is slowed down, never locked out for good. Kept in memory: a restart forgets, which is
//! acceptable for throttling.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// How failures turn into waits.
#[derive(Debug, Clone, Copy)]
pub struct BackoffPolicy {
    pub free_failures: u32,
    pub base_delay: Duration,
    pub max_delay: Duration,
}

impl BackoffPolicy {
    /// The wait required after `failures` failures, counted from the last one.
    fn delay_after(&self, failures: u32) -> Duration {
        if failures < self.free_failures {
            return Duration::ZERO;
        }
        let doublings = (failures - self.free_failures).min(20);
        self.base_delay
            .saturating_mul(1u32 << doublings)
            .min(self.max_delay)
    }

    /// A history quiet for this long is forgotten.
    fn forget_after(&self) -> Duration {
        (self.max_delay * 4).max(Duration::from_secs(3600))
    }
}

struct Failures {
    count: u32,
    last: Instant,
}

/// Failures per key (an account or an address), bounded in size.
struct BackoffTable {
    policy: BackoffPolicy,
    entries: Mutex<HashMap<String, Failures>>,
}

/// Keys tracked per table; past it, quiet and harmless entries are dropped first.
const MAX_TRACKED: usize = 100_000;

impl BackoffTable {
    fn new(policy: BackoffPolicy) -> Self {
        BackoffTable {
            policy,
            entries: Mutex::new(HashMap::new()),
        }
    }

    fn wait(&self, key: &str) -> Duration {
        let entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        let Some(failures) = entries.get(key) else {
            return Duration::ZERO;
        };
        let elapsed = failures.last.elapsed();
        if elapsed >= self.policy.forget_after() {
            return Duration::ZERO;
        }
        self.policy
            .delay_after(failures.count)
            .saturating_sub(elapsed)
    }

    fn record_failure(&self, key: &str) {
        let mut entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        if entries.len() >= MAX_TRACKED && !entries.contains_key(key) {
            let forget_after = self.policy.forget_after();
            entries.retain(|_, f| f.last.elapsed() < forget_after);
            if entries.len() >= MAX_TRACKED {
                let free = self.policy.free_failures;
                entries.retain(|_, f| f.count >= free);
            }
            if entries.len() >= MAX_TRACKED {
                // Every entry is being throttled; a new key is not tracked rather than grow.
                return;
            }
        }
        let forget_after = self.policy.forget_after();
        let entry = entries.entry(key.to_owned()).or_insert(Failures {
            count: 0,
            last: Instant::now(),
        });
        if entry.last.elapsed() >= forget_after {
            entry.count = 0;
        }
        entry.count = entry.count.saturating_add(1);
        entry.last = Instant::now();
    }

    fn forget(&self, key: &str) {
        let mut entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        entries.remove(key);
    }
}

pub struct LoginThrottle {
    per_account: BackoffTable,
    per_address: BackoffTable,
}

impl LoginThrottle {
    pub fn new(per_account: BackoffPolicy, per_address: BackoffPolicy) -> Self {
        LoginThrottle {
            per_account: BackoffTable::new(per_account),
            per_address: BackoffTable::new(per_address),
        }
    }

    /// `Err(wait)` while this account or this address must wait before the next try.
    pub fn check(&self, account: &str, address: &str) -> Result<(), Duration> {
        let wait = self
            .per_account
            .wait(account)
            .max(self.per_address.wait(address));
        if wait.is_zero() {
            Ok(())
        } else {
            Err(wait)
        }
    }

    pub fn record_failure(&self, account: &str, address: &str) {
        self.per_account.record_failure(account);
        self.per_address.record_failure(address);
    }

    /// A success clears the account's history, not the address's: otherwise a guesser with
    /// one valid account could reset their address between guesses at others.
    pub fn record_success(&self, account: &str) {
        self.per_account.forget(account);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy(free_failures: u32) -> BackoffPolicy {
        BackoffPolicy {
            free_failures,
            base_delay: Duration::from_secs(1),
            max_delay: Duration::from_secs(60),
        }
    }

    #[test]
    fn delays_double_past_the_free_failures_up_to_the_ceiling() {
        let p = policy(3);
        assert_eq!(p.delay_after(2), Duration::ZERO);
        assert_eq!(p.delay_after(3), Duration::from_secs(1));
        assert_eq!(p.delay_after(4), Duration::from_secs(2));
        assert_eq!(p.delay_after(6), Duration::from_secs(8));
        assert_eq!(p.delay_after(12), Duration::from_secs(60));
        assert_eq!(p.delay_after(u32::MAX), Duration::from_secs(60));
    }

    #[test]
    fn an_account_is_throttled_across_addresses_and_success_clears_it() {
        let throttle = LoginThrottle::new(policy(3), policy(100));
        for address in ["1.1.1.1", "2.2.2.2", "3.3.3.3"] {
            assert!(throttle.check("a@x.io", address).is_ok());
            throttle.record_failure("a@x.io", address);
        }
        assert!(throttle.check("a@x.io", "4.4.4.4").is_err());
        assert!(throttle.check("b@x.io", "4.4.4.4").is_ok());
        throttle.record_success("a@x.io");
        assert!(throttle.check("a@x.io", "4.4.4.4").is_ok());
    }

    #[test]
    fn an_address_is_throttled_across_accounts() {
        let throttle = LoginThrottle::new(policy(100), policy(2));
        throttle.record_failure("a@x.io", "1.1.1.1");
        throttle.record_failure("b@x.io", "1.1.1.1");
        assert!(throttle.check("c@x.io", "1.1.1.1").is_err());
        assert!(throttle.check("c@x.io", "2.2.2.2").is_ok());
    }
}
