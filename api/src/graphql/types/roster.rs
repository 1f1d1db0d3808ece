//! Time entries and the advisory time report.

use super::{CareCentre, Doctor, load_doctor};
use crate::error::AppResult;
use crate::graphql::enums::*;
use crate::graphql::scalars::Date;
use crate::ids::{Kind, encode};
use async_graphql::{Context, ID, Object};
use entities::time_entry;

pub struct TimeEntry(pub time_entry::Model);

#[Object]
impl TimeEntry {
    async fn id(&self) -> ID {
        encode(Kind::TimeEntry, self.0.id)
    }
    async fn kind(&self) -> TimeEntryKind {
        self.0.kind.into()
    }
    async fn work_date(&self) -> Date {
        Date(self.0.work_date)
    }
    async fn minutes(&self) -> i32 {
        self.0.minutes
    }
    async fn note(&self) -> Option<&str> {
        self.0.note.as_deref()
    }
    async fn doctor(&self, ctx: &Context<'_>) -> AppResult<Option<Doctor>> {
        load_doctor(ctx, self.0.doctor_id).await
    }
}

pub struct AdvisoryTimeReport(pub crate::services::reports::AdvisoryTimeReport);

#[Object]
impl AdvisoryTimeReport {
    async fn care_centre(&self) -> CareCentre {
        CareCentre(self.0.centre.clone())
    }
    async fn month(&self) -> &str {
        &self.0.month
    }
    /// Weekly allotment × weeks in the month.
    async fn allotted_advisory_minutes(&self) -> i64 {
        self.0.allotted_advisory_minutes
    }
    async fn advisory_minutes(&self) -> i64 {
        self.0.advisory_minutes
    }
    async fn individual_minutes(&self) -> i64 {
        self.0.individual_minutes
    }
    async fn entries(&self) -> Vec<TimeEntry> {
        self.0.entries.iter().cloned().map(TimeEntry).collect()
    }
}
