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
        self.wait(key).is_none()
    }

    /// How long until `key` is within its budget again; `None` when it is now.
    pub fn wait(&self, key: &str) -> Option<Duration> {
        let now = Instant::now();
        let mut events = self.events.lock().unwrap_or_else(|e| e.into_inner());
        let recent = self.recent(&mut events, key, now);
        if recent.len() < self.max {
            return None;
        }
        // The event whose leaving the window frees a place.
        let freeing = recent[recent.len() - self.max];
        Some(self.window.saturating_sub(now.duration_since(freeing)))
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

/// The limits on every check of a password (`login`, `changePassword`): failures per account,
/// attempts per address.
pub struct LoginLimits {
    pub per_account: RateLimiter,
    pub per_address: RateLimiter,
}

impl LoginLimits {
    /// Admits a password check for `account` from `client`, counting it against the address, or
    /// refuses it with `RATE_LIMITED` and the seconds to wait (before any hashing: a flood costs
    /// no CPU). The caller records a failure against the account, or clears it on success.
    pub fn admit(&self, client: &str, account: &str) -> Result<(), crate::error::AppError> {
        let wait = self.per_address.wait(client).max(self.per_account.wait(account));
        if let Some(wait) = wait {
            // Whole seconds, rounded up, so a client that waits exactly that long is let in.
            let retry_after_seconds = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
            return Err(crate::error::AppError::RateLimited { retry_after_seconds: retry_after_seconds.max(1) });
        }
        self.per_address.record(client);
        Ok(())
    }

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
    fn the_wait_is_until_the_oldest_event_in_the_budget_leaves() {
        let limiter = RateLimiter::new(2, Duration::from_secs(60));
        assert_eq!(limiter.wait("a"), None);
        limiter.record("a");
        limiter.record("a");
        let wait = limiter.wait("a").expect("over budget");
        assert!(wait > Duration::from_secs(59) && wait <= Duration::from_secs(60), "{wait:?}");
    }

    #[test]
    fn admit_refuses_with_whole_seconds_to_wait() {
        let limits = LoginLimits::new(1, 10);
        assert!(limits.admit("10.0.0.1", "a@example.org").is_ok());
        limits.per_account.record("a@example.org");
        match limits.admit("10.0.0.2", "a@example.org") {
            Err(crate::error::AppError::RateLimited { retry_after_seconds }) => {
                assert!((899..=900).contains(&retry_after_seconds), "{retry_after_seconds}");
            }
            other => panic!("expected RATE_LIMITED, got {other:?}"),
        }
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
