//! Slows down password guessing: after a few failures for one email from one address, sign-in
//! for that pair pauses for a while. Kept in memory: a restart forgets, which is acceptable
//! for throttling (it is not an account lock).

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

pub struct LoginThrottle {
    max_failures: u32,
    lockout: Duration,
    failures: Mutex<HashMap<(String, String), Failures>>,
}

struct Failures {
    count: u32,
    last: Instant,
}

/// Entries older than this are forgotten, which also bounds the map's size over time.
const FORGET_AFTER: Duration = Duration::from_secs(3600);
const MAX_TRACKED: usize = 100_000;

impl LoginThrottle {
    pub fn new(max_failures: u32, lockout: Duration) -> Self {
        LoginThrottle {
            max_failures,
            lockout,
            failures: Mutex::new(HashMap::new()),
        }
    }

    /// `Err(wait)` while this email and address are locked out.
    pub fn check(&self, email: &str, address: &str) -> Result<(), Duration> {
        let failures = self.failures.lock().unwrap_or_else(|p| p.into_inner());
        match failures.get(&(email.to_owned(), address.to_owned())) {
            Some(f) if f.count >= self.max_failures => {
                let elapsed = f.last.elapsed();
                if elapsed < self.lockout {
                    Err(self.lockout - elapsed)
                } else {
                    Ok(())
                }
            }
            _ => Ok(()),
        }
    }

    pub fn record_failure(&self, email: &str, address: &str) {
        let mut failures = self.failures.lock().unwrap_or_else(|p| p.into_inner());
        if failures.len() >= MAX_TRACKED {
            failures.retain(|_, f| f.last.elapsed() < FORGET_AFTER);
        }
        let entry = failures
            .entry((email.to_owned(), address.to_owned()))
            .or_insert(Failures {
                count: 0,
                last: Instant::now(),
            });
        // A failure after a served lockout starts a fresh count.
        if entry.count >= self.max_failures && entry.last.elapsed() >= self.lockout {
            entry.count = 0;
        }
        entry.count += 1;
        entry.last = Instant::now();
    }

    pub fn record_success(&self, email: &str, address: &str) {
        let mut failures = self.failures.lock().unwrap_or_else(|p| p.into_inner());
        failures.remove(&(email.to_owned(), address.to_owned()));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locks_out_after_the_allowed_failures_and_success_resets() {
        let throttle = LoginThrottle::new(3, Duration::from_secs(60));
        for _ in 0..3 {
            assert!(throttle.check("a@x.io", "1.2.3.4").is_ok());
            throttle.record_failure("a@x.io", "1.2.3.4");
        }
        assert!(throttle.check("a@x.io", "1.2.3.4").is_err());
        assert!(
            throttle.check("a@x.io", "5.6.7.8").is_ok(),
            "other addresses are not locked"
        );
        throttle.record_success("a@x.io", "1.2.3.4");
        assert!(throttle.check("a@x.io", "1.2.3.4").is_ok());
    }
}
