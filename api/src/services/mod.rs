//! Business rules and authorization as plain Rust over sea-orm; no GraphQL types here.
//! Every read filters in SQL by the viewer's scope (DESIGN §4); out of scope is `NOT_FOUND`.

pub mod access;
pub mod access_log;
pub mod administration;
pub mod centres;
pub mod clinical;
pub mod meetings;
pub mod observations;
pub mod plans;
pub mod questions;
pub mod relatives;
pub mod reports;
pub mod residents;
pub mod roster;
pub mod sessions;
pub mod terms;

use crate::auth::Viewer;
use crate::error::{AppError, AppResult};
use chrono::{DateTime, Datelike, Utc};
use entities::enums::Role;

/// An offset page of a list. Offsets (not keysets) because the doctor's queue is ordered by
/// "overdue now", which moves with the clock.
#[derive(Debug, Clone, Copy)]
pub struct Page {
    pub offset: u64,
    pub limit: u64,
}

impl Page {
    pub const MAX: u64 = 100;

    pub fn new(offset: u64, first: Option<i32>, default: u64) -> AppResult<Self> {
        let limit = match first {
            None => default,
            Some(n) if n < 0 => {
                return Err(AppError::validation("first", "first must not be negative"));
            }
            Some(n) if n as u64 > Self::MAX => {
                return Err(AppError::validation("first", format!("first must be at most {}", Self::MAX)));
            }
            Some(n) => n as u64,
        };
        Ok(Self { offset, limit })
    }
}

/// One page of rows and the total count of the whole list.
pub struct Paged<T> {
    pub rows: Vec<T>,
    pub total: u64,
    pub page: Page,
}

impl<T> Paged<T> {
    pub fn has_next(&self) -> bool {
        self.page.offset + (self.rows.len() as u64) < self.total
    }
}

/// `FORBIDDEN` unless the viewer has one of `roles` (the role may not do this at all).
pub fn require_role(viewer: &Viewer, roles: &[Role]) -> AppResult<()> {
    if roles.contains(&viewer.role) { Ok(()) } else { Err(AppError::Forbidden) }
}

/// Optimistic concurrency: the client's `expected` version must be the stored one.
pub fn check_version(expected: i32, stored: i32) -> AppResult<()> {
    if expected == stored {
        Ok(())
    } else {
        Err(AppError::Conflict(format!("Changed by someone else (version {stored}, you had {expected}); reload")))
    }
}

/// Trims `value` and checks it is not empty and at most `max` characters.
pub fn required_text(field: &str, value: &str, max: usize) -> AppResult<String> {
    let value = value.trim();
    if value.is_empty() {
        return Err(AppError::validation(field, format!("{field} must not be empty")));
    }
    optional_text(field, Some(value), max).map(Option::unwrap_or_default)
}

/// Trims `value` (empty becomes `None`) and checks it is at most `max` characters.
pub fn optional_text(field: &str, value: Option<&str>, max: usize) -> AppResult<Option<String>> {
    let Some(value) = value.map(str::trim).filter(|v| !v.is_empty()) else { return Ok(None) };
    if value.chars().count() > max {
        return Err(AppError::validation(field, format!("{field} must be at most {max} characters")));
    }
    Ok(Some(value.to_owned()))
}

/// The years a stored date or time may have: PostgreSQL refuses timestamps before 4713 BC and
/// SQLite compares stored text, which a year past 9999 would order wrongly.
pub const STORABLE_YEARS: std::ops::RangeInclusive<i32> = 1..=9999;

/// `VALIDATION` on `field` unless the instant lies in [`STORABLE_YEARS`]. Found by the GraphQL
/// fuzzer: the `DateTime` scalar accepts chrono's whole range (±262 143 years), PostgreSQL refuses
/// timestamps before 4713 BC (`INTERNAL`), and SQLite compares stored text, which a year past 9999
/// would order wrongly.
pub fn time_bound(field: &str, value: Option<DateTime<Utc>>) -> AppResult<Option<DateTime<Utc>>> {
    match value {
        Some(at) if !STORABLE_YEARS.contains(&at.year()) => {
            Err(AppError::validation(field, format!("{field} must be within the years 1 to 9999")))
        }
        _ => Ok(value),
    }
}
