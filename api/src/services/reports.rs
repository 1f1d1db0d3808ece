//! The monthly advisory time report per centre (DESIGN §5).

use crate::auth::Viewer;
use crate::error::{AppError, AppResult};
use chrono::{Datelike, NaiveDate};
use entities::enums::{Role, TimeEntryKind};
use entities::{care_centre, time_entry};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};
use uuid::Uuid;

pub struct AdvisoryTimeReport {
    pub centre: care_centre::Model,
    pub month: String,
    /// Weekly allotment × weeks in the month (days ÷ 7), rounded to whole minutes.
    pub allotted_advisory_minutes: i64,
    pub advisory_minutes: i64,
    pub individual_minutes: i64,
    pub entries: Vec<time_entry::Model>,
}

/// Parses "YYYY-MM" into the first day of that month and of the next.
pub fn month_bounds(month: &str) -> AppResult<(NaiveDate, NaiveDate)> {
    let invalid = || AppError::validation("month", "month must look like 2026-11");
    let (year, mon) = month.split_once('-').ok_or_else(invalid)?;
    if year.len() != 4 || mon.len() != 2 {
        return Err(invalid());
    }
    let (year, mon): (i32, u32) = (year.parse().map_err(|_| invalid())?, mon.parse().map_err(|_| invalid())?);
    let start = NaiveDate::from_ymd_opt(year, mon, 1).ok_or_else(invalid)?;
    let end =
        if mon == 12 { NaiveDate::from_ymd_opt(year + 1, 1, 1) } else { NaiveDate::from_ymd_opt(year, mon + 1, 1) }
            .ok_or_else(invalid)?;
    Ok((start, end))
}

/// COORDINATOR: own centres; DOCTOR: their own entries at attached centres; ADMIN: all.
pub async fn advisory_time_report(
    db: &impl ConnectionTrait,
    viewer: &Viewer,
    centre: Uuid,
    month: &str,
) -> AppResult<AdvisoryTimeReport> {
    if !matches!(viewer.role, Role::Coordinator | Role::Doctor | Role::Admin) {
        return Err(AppError::Forbidden);
    }
    let (start, end) = month_bounds(month)?;
    if !viewer.serves_centre(centre) {
        return Err(AppError::NotFound);
    }
    let centre = care_centre::Entity::find_by_id(centre).one(db).await?.ok_or(AppError::NotFound)?;
    let mut query = time_entry::Entity::find()
        .filter(time_entry::Column::CareCentreId.eq(centre.id))
        .filter(time_entry::Column::WorkDate.gte(start))
        .filter(time_entry::Column::WorkDate.lt(end));
    if viewer.role == Role::Doctor {
        query = query.filter(time_entry::Column::DoctorId.eq(viewer.doctor_id));
    }
    let entries = query.order_by_asc(time_entry::Column::WorkDate).all(db).await?;
    let sum = |kind| entries.iter().filter(|e| e.kind == kind).map(|e| i64::from(e.minutes)).sum();
    let days = (end - start).num_days();
    Ok(AdvisoryTimeReport {
        allotted_advisory_minutes: (i64::from(centre.weekly_advisory_minutes) * days + 3) / 7,
        advisory_minutes: sum(TimeEntryKind::GeneralAdvisory),
        individual_minutes: sum(TimeEntryKind::IndividualTreatment),
        month: format!("{:04}-{:02}", start.year(), start.month()),
        centre,
        entries,
    })
}

#[cfg(test)]
mod tests {
    use super::month_bounds;

    #[test]
    fn parses_months() {
        let (start, end) = month_bounds("2026-12").expect("valid");
        assert_eq!((start.to_string(), end.to_string()), ("2026-12-01".into(), "2027-01-01".into()));
        for bad in ["2026-13", "2026-1", "26-01", "2026/01", ""] {
            assert!(month_bounds(bad).is_err(), "{bad}");
        }
    }
}
