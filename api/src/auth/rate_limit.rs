//! Login attempt limits per account and per client address (in memory, per instance: with N
//! instances behind a balancer an attacker gets at most N times the budget).

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// A sliding window of at most `max` events per `window` for each key.
pub struct RateLimiter {
    max: usize,
    window: Duration,
    events: Mutex<HashMap<String, Vec<Instant>>>,
}

/// Keys kept before old ones are swept, so a spray of addresses cannot grow memory without bound.
const SWEEP_AT: usize = 50_000;

impl RateLimiter {
    pub fn new(max: usize, window: Duration) -> Self {
        Self { max, window, events: Mutex::new(HashMap::new()) }
    }

    fn recent<'a>(
        &self,
        events: &'a mut HashMap<String, Vec<Instant>>,
        key: &str,
        now: Instant,
    ) -> &'a mut Vec<Instant> {
        let entry = events.entry(key.to_owned()).or_default();
        entry.retain(|t| now.duration_since(*t) < self.window);
        entry
    }

    /// Whether `key` is still within its budget (does not count an event).
    pub fn allows(&self, key: &str) -> bool {
        let mut events = self.events.lock().unwrap_or_else(|e| e.into_inner());
        self.recent(&mut events, key, Instant::now()).len() < self.max
    }

    /// Counts an event for `key`.
    pub fn record(&self, key: &str) {
        let now = Instant::now();
        let mut events = self.events.lock().unwrap_or_else(|e| e.into_inner());
        if events.len() >= SWEEP_AT {
            events.retain(|_, times| times.iter().any(|t| now.duration_since(*t) < self.window));
        }
        self.recent(&mut events, key, now).push(now);
    }

    /// Forgets `key` (a successful login clears the account's failures).
    pub fn clear(&self, key: &str) {
        self.events.lock().unwrap_or_else(|e| e.into_inner()).remove(key);
    }
}

/// The limits on `login`: failures per account, attempts per address.
pub struct LoginLimits {
    pub per_account: RateLimiter,
    pub per_address: RateLimiter,
}

impl LoginLimits {
    /// `failures_per_account` in 15 minutes; `attempts_per_address` a minute (a whole nursing home
    /// may share one address at the shift change).
    pub fn new(failures_per_account: usize, attempts_per_address: usize) -> Self {
        Self {
            per_account: RateLimiter::new(failures_per_account, Duration::from_secs(15 * 60)),
            per_address: RateLimiter::new(attempts_per_address, Duration::from_secs(60)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn allows_up_to_the_budget_then_refuses_until_cleared() {
        let limiter = RateLimiter::new(3, Duration::from_secs(60));
        for _ in 0..3 {
            assert!(limiter.allows("a"));
            limiter.record("a");
        }
        assert!(!limiter.allows("a"));
        assert!(limiter.allows("b"), "keys are independent");
        limiter.clear("a");
        assert!(limiter.allows("a"));
    }

    #[test]
    fn events_leave_the_window() {
        let limiter = RateLimiter::new(1, Duration::from_millis(20));
        limiter.record("a");
        assert!(!limiter.allows("a"));
        std::thread::sleep(Duration::from_millis(30));
        assert!(limiter.allows("a"));
    }
}
