//! Business rules and authorization as plain Rust over sea-orm; no GraphQL types here.
//! Every read filters in SQL by the viewer's scope (DESIGN §4); out of scope is `NOT_FOUND`.

pub mod access;
pub mod centres;
pub mod meetings;
pub mod questions;
pub mod reports;
pub mod residents;
pub mod sessions;

use crate::error::{AppError, AppResult};

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
