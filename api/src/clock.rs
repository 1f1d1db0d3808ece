//! An injectable clock, so deadline rules can be tested at an exact "now".

use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Europe::Copenhagen;
use std::sync::{Arc, RwLock};

#[derive(Clone, Default)]
pub struct Clock {
    fixed: Option<Arc<RwLock<DateTime<Utc>>>>,
}

impl Clock {
    /// The system clock.
    pub fn system() -> Self {
        Self { fixed: None }
    }

    /// A clock that stands still at `now` until [`Clock::set`] moves it (tests).
    pub fn fixed(now: DateTime<Utc>) -> Self {
        Self { fixed: Some(Arc::new(RwLock::new(now))) }
    }

    pub fn now(&self) -> DateTime<Utc> {
        match &self.fixed {
            Some(fixed) => *fixed.read().unwrap_or_else(|e| e.into_inner()),
            None => Utc::now(),
        }
    }

    /// Moves a fixed clock; no effect on the system clock.
    pub fn set(&self, now: DateTime<Utc>) {
        if let Some(fixed) = &self.fixed {
            *fixed.write().unwrap_or_else(|e| e.into_inner()) = now;
        }
    }
}

/// The date in Denmark of an instant: "today" of every deadline and date rule.
pub fn copenhagen_date(at: DateTime<Utc>) -> NaiveDate {
    at.with_timezone(&Copenhagen).date_naive()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn copenhagen_dates() {
        let late_evening = DateTime::parse_from_rfc3339("2026-11-30T23:30:00Z").expect("valid").to_utc();
        assert_eq!(copenhagen_date(late_evening).to_string(), "2026-12-01");
    }
}
