//! What only the resident's GP writes: resuscitation decisions, medication and medication
//! reviews (DESIGN §4). A doctor who sees the roster but is not the GP gets `FORBIDDEN`.

use super::{access, optional_text, require_role, required_text, residents};
use crate::audit::{self, Action};
use crate::auth::Viewer;
use crate::error::{AppError, AppResult};
use crate::ids::new_id;
use chrono::{DateTime, NaiveDate, Utc};
use entities::enums::{ResuscitationChoice, Role};
use entities::{medication, medication_review, resident, resuscitation_decision};
use sea_orm::ActiveValue::Set;
use sea_orm::{ActiveModelTrait, ColumnTrait, DatabaseConnection, EntityTrait, IntoActiveModel, QueryFilter};
use uuid::Uuid;

/// The resident, when the viewer is their GP.
async fn as_gp(db: &DatabaseConnection, viewer: &Viewer, resident: Uuid) -> AppResult<(resident::Model, Uuid)> {
    require_role(viewer, &[Role::Doctor])?;
    let resident = residents::get(db, viewer, resident, Action::Write).await?;
    match viewer.doctor_id {
        Some(doctor) if access::can_read_clinical(viewer, &resident) => Ok((resident, doctor)),
        _ => Err(AppError::Forbidden),
    }
}

/// A new decision; earlier ones stay as history.
pub async fn record_resuscitation_decision(
    db: &DatabaseConnection,
    viewer: &Viewer,
    resident: Uuid,
    decision: ResuscitationChoice,
    note: Option<&str>,
    now: DateTime<Utc>,
) -> AppResult<resuscitation_decision::Model> {
    let (resident, doctor) = as_gp(db, viewer, resident).await?;
    let note = optional_text("note", note, 2000)?;
    let txn = audit::begin(db).await?;
    let row = resuscitation_decision::ActiveModel {
        id: Set(new_id()),
        resident_id: Set(resident.id),
        decision: Set(decision),
        note: Set(note),
        decided_by: Set(doctor),
        decided_at: Set(now),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(&*txn)
    .await?;
    txn.commit_write(viewer, Some(resident.id), now).await?;
    Ok(row)
}

#[derive(Debug, Clone, Default)]
pub struct MedicationInput {
    pub resident_id: Uuid,
    pub name: String,
    pub strength: String,
    pub dosage: String,
    pub prn: bool,
    pub dose_dispensed: bool,
    pub indication: Option<String>,
    pub started_on: NaiveDate,
}

pub async fn add_medication(
    db: &DatabaseConnection,
    viewer: &Viewer,
    input: MedicationInput,
    now: DateTime<Utc>,
) -> AppResult<medication::Model> {
    let (resident, _) = as_gp(db, viewer, input.resident_id).await?;
    let txn = audit::begin(db).await?;
    let row = medication::ActiveModel {
        id: Set(new_id()),
        resident_id: Set(resident.id),
        name: Set(required_text("name", &input.name, 200)?),
        strength: Set(required_text("strength", &input.strength, 100)?),
        dosage: Set(required_text("dosage", &input.dosage, 500)?),
        prn: Set(input.prn),
        dose_dispensed: Set(input.dose_dispensed),
        indication: Set(optional_text("indication", input.indication.as_deref(), 200)?),
        started_on: Set(input.started_on),
        stopped_on: Set(None),
        version: Set(1),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(&*txn)
    .await?;
    txn.commit_write(viewer, Some(resident.id), now).await?;
    Ok(row)
}

/// Stops an active medication of the GP's resident. `stoppedOn` may be in the future (a planned
/// stop); a medication that already has a stop date is `CONFLICT`.
pub async fn stop_medication(
    db: &DatabaseConnection,
    viewer: &Viewer,
    id: Uuid,
    stopped_on: NaiveDate,
    now: DateTime<Utc>,
) -> AppResult<medication::Model> {
    require_role(viewer, &[Role::Doctor])?;
    let medication = medication::Entity::find_by_id(id).one(db).await?.ok_or(AppError::NotFound)?;
    let (resident, _) = as_gp(db, viewer, medication.resident_id).await?;
    if stopped_on < medication.started_on {
        return Err(AppError::validation("stoppedOn", "stoppedOn is before the medication was started"));
    }
    let txn = audit::begin(db).await?;
    // Read again under the write lock: two stops at once must not both succeed.
    let medication = medication::Entity::find_by_id(id).one(&*txn).await?.ok_or(AppError::NotFound)?;
    if medication.stopped_on.is_some() {
        return Err(AppError::Conflict("The medication is already stopped".into()));
    }
    let version = medication.version;
    let mut row = medication.into_active_model();
    row.stopped_on = Set(Some(stopped_on));
    row.version = Set(version + 1);
    row.updated_at = Set(now);
    let saved = row.update(&*txn).await?;
    txn.commit_write(viewer, Some(resident.id), now).await?;
    Ok(saved)
}

#[derive(Debug, Clone, Default)]
pub struct ReviewInput {
    pub resident_id: Uuid,
    pub notes: String,
    /// Active medications the review stops (stopped today).
    pub stop_medication_ids: Vec<Uuid>,
    /// The active count after the review as the doctor states it (e.g. with changes still to be
    /// made in FMK); default: the active count now minus the medications stopped here.
    pub active_count_after: Option<i32>,
}

/// Records a medication review: the active count now ("before"), the medications stopped in the
/// review (stopped today, Europe/Copenhagen), and the count after. A review makes
/// `medicationReviewDue` false for 12 months.
pub async fn record_medication_review(
    db: &DatabaseConnection,
    viewer: &Viewer,
    input: ReviewInput,
    now: DateTime<Utc>,
) -> AppResult<medication_review::Model> {
    let (resident, doctor) = as_gp(db, viewer, input.resident_id).await?;
    let notes = required_text("notes", &input.notes, 5000)?;
    if input.active_count_after.is_some_and(|n| !(0..=200).contains(&n)) {
        return Err(AppError::validation("activeCountAfter", "activeCountAfter must be between 0 and 200"));
    }
    let today = crate::clock::copenhagen_date(now);
    let stop: std::collections::HashSet<Uuid> = input.stop_medication_ids.iter().copied().collect();
    let txn = audit::begin(db).await?;
    let active: Vec<medication::Model> = medication::Entity::find()
        .filter(medication::Column::ResidentId.eq(resident.id))
        .all(&*txn)
        .await?
        .into_iter()
        .filter(|m| residents::is_active(m, today))
        .collect();
    if stop.iter().any(|id| !active.iter().any(|m| m.id == *id)) {
        return Err(AppError::validation("stopMedicationIds", "Stop only active medications of the resident"));
    }
    for medication in active.iter().filter(|m| stop.contains(&m.id)) {
        let mut row = medication.clone().into_active_model();
        row.stopped_on = Set(Some(today));
        row.version = Set(medication.version + 1);
        row.updated_at = Set(now);
        row.update(&*txn).await?;
    }
    let before = active.len() as i32;
    let review = medication_review::ActiveModel {
        id: Set(new_id()),
        resident_id: Set(resident.id),
        doctor_id: Set(doctor),
        reviewed_at: Set(now),
        active_count_before: Set(before),
        active_count_after: Set(input.active_count_after.unwrap_or(before - stop.len() as i32)),
        notes: Set(notes),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(&*txn)
    .await?;
    txn.commit_write(viewer, Some(resident.id), now).await?;
    Ok(review)
}
