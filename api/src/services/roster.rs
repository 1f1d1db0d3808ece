//! The roster: admitting, updating and discharging residents and choosing their GP. The
//! coordinator keeps the roster; the SpO2 scale is set by the resident's GP (DESIGN §3).
//!
//! Decisions:
//! - Admission is on `SCALE_1`: the coordinator admits, and a coordinator never sets the scale, so
//!   `spo2Scale: SCALE_2` on `admitResident` is `FORBIDDEN`; the GP sets it with `updateResident`.
//! - `updateResident` with roster fields (name, room, date of birth, intake stage) is the
//!   coordinator's; with `spo2Scale` it is the GP's (a coordinator, or a doctor who is not the GP,
//!   gets `FORBIDDEN`). A request with both is `FORBIDDEN`: nobody is both coordinator and GP.
//! - An external GP is a name (and optionally a clinic); a clinic without a name is refused, and
//!   an attached doctor as GP clears any external GP.
//! - `movedInOn` may not be before `dateOfBirth`; "today" is the date in Europe/Copenhagen.

use super::{access, check_version, optional_text, require_role, required_text, residents};
use crate::audit::{self, Action, AuditTxn};
use crate::auth::Viewer;
use crate::clock::copenhagen_date;
use crate::error::{AppError, AppResult};
use crate::ids::new_id;
use chrono::{DateTime, Datelike, NaiveDate, Utc};
use entities::enums::{ResidentStatus, Role, Spo2Scale};
use entities::{doctor_attachment, resident};
use sea_orm::ActiveValue::Set;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, IntoActiveModel, QueryFilter,
};
use uuid::Uuid;

#[derive(Debug, Clone, Default)]
pub struct AdmitInput {
    pub care_centre_id: Uuid,
    pub full_name: String,
    pub date_of_birth: NaiveDate,
    pub room: String,
    pub moved_in_on: NaiveDate,
    pub gp_doctor_id: Option<Uuid>,
    pub external_gp_name: Option<String>,
    pub external_gp_clinic: Option<String>,
    pub spo2_scale: Option<Spo2Scale>,
    pub intake_stage: Option<i32>,
}

#[derive(Debug, Clone, Default)]
pub struct UpdateInput {
    pub id: Uuid,
    pub expected_version: i32,
    pub full_name: Option<String>,
    pub room: Option<String>,
    pub date_of_birth: Option<NaiveDate>,
    pub spo2_scale: Option<Spo2Scale>,
    pub intake_stage: Option<i32>,
}

fn search_text(name: &str, room: &str) -> String {
    format!("{} {}", name.to_lowercase(), room.to_lowercase())
}

fn check_birth(date: NaiveDate, today: NaiveDate) -> AppResult<()> {
    if date > today || date.year() < 1900 {
        return Err(AppError::validation("dateOfBirth", "dateOfBirth must be between 1900 and today"));
    }
    Ok(())
}

fn check_stage(stage: i32) -> AppResult<i32> {
    if (1..=5).contains(&stage) { Ok(stage) } else { Err(AppError::validation("intakeStage", "intakeStage is 1 to 5")) }
}

/// Whether `doctor` is attached to `centre` now.
pub async fn is_attached(db: &impl ConnectionTrait, doctor: Uuid, centre: Uuid) -> AppResult<bool> {
    Ok(doctor_attachment::Entity::find()
        .filter(doctor_attachment::Column::DoctorId.eq(doctor))
        .filter(doctor_attachment::Column::CareCentreId.eq(centre))
        .filter(doctor_attachment::Column::EndedAt.is_null())
        .one(db)
        .await?
        .is_some())
}

/// The coordinator of the resident's centre.
fn require_coordinator(viewer: &Viewer, centre: Uuid) -> AppResult<()> {
    require_role(viewer, &[Role::Coordinator])?;
    if viewer.serves_centre(centre) { Ok(()) } else { Err(AppError::NotFound) }
}

async fn save(
    txn: AuditTxn,
    viewer: &Viewer,
    row: resident::ActiveModel,
    now: DateTime<Utc>,
) -> AppResult<resident::Model> {
    let saved = row.update(&*txn).await?;
    txn.commit_write(viewer, Some(saved.id), now).await?;
    Ok(saved)
}

/// Loads the resident again inside the write transaction and checks the client's version.
async fn locked(txn: &AuditTxn, id: Uuid, expected: Option<i32>) -> AppResult<resident::Model> {
    let current = resident::Entity::find_by_id(id).one(&**txn).await?.ok_or(AppError::NotFound)?;
    if let Some(expected) = expected {
        check_version(expected, current.version)?;
    }
    Ok(current)
}

fn bumped(current: resident::Model, now: DateTime<Utc>) -> resident::ActiveModel {
    let version = current.version;
    let mut row = current.into_active_model();
    row.version = Set(version + 1);
    row.updated_at = Set(now);
    row
}

pub async fn admit(
    db: &DatabaseConnection,
    viewer: &Viewer,
    input: AdmitInput,
    now: DateTime<Utc>,
) -> AppResult<resident::Model> {
    require_coordinator(viewer, input.care_centre_id)?;
    if input.spo2_scale == Some(Spo2Scale::Scale2) {
        // SCALE_2 is the GP's decision (hypercapnic respiratory failure), set after admission.
        return Err(AppError::Forbidden);
    }
    let name = required_text("fullName", &input.full_name, 200)?;
    let room = required_text("room", &input.room, 20)?;
    check_birth(input.date_of_birth, copenhagen_date(now))?;
    if input.moved_in_on < input.date_of_birth {
        return Err(AppError::validation("movedInOn", "movedInOn is before dateOfBirth"));
    }
    let stage = check_stage(input.intake_stage.unwrap_or(1))?;
    let external_name = optional_text("externalGpName", input.external_gp_name.as_deref(), 200)?;
    let external_clinic = optional_text("externalGpClinic", input.external_gp_clinic.as_deref(), 200)?;
    if external_clinic.is_some() && external_name.is_none() {
        return Err(AppError::validation("externalGpName", "Name the external GP of the clinic"));
    }
    if let Some(gp) = input.gp_doctor_id {
        if external_name.is_some() {
            return Err(AppError::validation("externalGpName", "Give an attached doctor or an external GP, not both"));
        }
        if !is_attached(db, gp, input.care_centre_id).await? {
            return Err(AppError::validation("gpDoctorId", "The doctor is not attached to the care centre"));
        }
    }
    let txn = audit::begin(db).await?;
    let row = resident::ActiveModel {
        id: Set(new_id()),
        care_centre_id: Set(input.care_centre_id),
        search_text: Set(search_text(&name, &room)),
        full_name: Set(name),
        date_of_birth: Set(input.date_of_birth),
        room: Set(room),
        moved_in_on: Set(input.moved_in_on),
        status: Set(ResidentStatus::Active),
        gp_doctor_id: Set(input.gp_doctor_id),
        external_gp_name: Set(external_name),
        external_gp_clinic: Set(external_clinic),
        spo2_scale: Set(input.spo2_scale.unwrap_or(Spo2Scale::Scale1)),
        intake_stage: Set(stage),
        version: Set(1),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(&*txn)
    .await?;
    txn.commit_write(viewer, Some(row.id), now).await?;
    Ok(row)
}

/// The coordinator updates the roster fields; only the resident's GP changes the SpO2 scale.
pub async fn update(
    db: &DatabaseConnection,
    viewer: &Viewer,
    input: UpdateInput,
    now: DateTime<Utc>,
) -> AppResult<resident::Model> {
    require_role(viewer, &[Role::Coordinator, Role::Doctor])?;
    let resident = residents::get(db, viewer, input.id, Action::Write).await?;
    let roster_change = input.full_name.is_some()
        || input.room.is_some()
        || input.date_of_birth.is_some()
        || input.intake_stage.is_some();
    // An update naming no field at all is the coordinator's too (a doctor has nothing to bump).
    if roster_change || input.spo2_scale.is_none() {
        require_coordinator(viewer, resident.care_centre_id)?;
    }
    if input.spo2_scale.is_some() && !(viewer.role == Role::Doctor && access::can_read_clinical(viewer, &resident)) {
        return Err(AppError::Forbidden);
    }
    let name = input.full_name.as_deref().map(|n| required_text("fullName", n, 200)).transpose()?;
    let room = input.room.as_deref().map(|r| required_text("room", r, 20)).transpose()?;
    if let Some(date) = input.date_of_birth {
        check_birth(date, copenhagen_date(now))?;
    }
    let stage = input.intake_stage.map(check_stage).transpose()?;
    let txn = audit::begin(db).await?;
    let current = locked(&txn, resident.id, Some(input.expected_version)).await?;
    if input.date_of_birth.is_some_and(|born| born > current.moved_in_on) {
        return Err(AppError::validation("dateOfBirth", "dateOfBirth is after the resident moved in"));
    }
    let (new_name, new_room) =
        (name.unwrap_or_else(|| current.full_name.clone()), room.unwrap_or_else(|| current.room.clone()));
    let mut row = bumped(current, now);
    row.search_text = Set(search_text(&new_name, &new_room));
    row.full_name = Set(new_name);
    row.room = Set(new_room);
    if let Some(date) = input.date_of_birth {
        row.date_of_birth = Set(date);
    }
    if let Some(scale) = input.spo2_scale {
        row.spo2_scale = Set(scale);
    }
    if let Some(stage) = stage {
        row.intake_stage = Set(stage);
    }
    save(txn, viewer, row, now).await
}

/// Moving out or death: the record stays, read-only for new observations.
pub async fn discharge(
    db: &DatabaseConnection,
    viewer: &Viewer,
    id: Uuid,
    status: ResidentStatus,
    now: DateTime<Utc>,
) -> AppResult<resident::Model> {
    require_role(viewer, &[Role::Coordinator])?;
    if !matches!(status, ResidentStatus::Discharged | ResidentStatus::Deceased) {
        return Err(AppError::validation("status", "status must be DISCHARGED or DECEASED"));
    }
    let resident = residents::get(db, viewer, id, Action::Write).await?;
    require_coordinator(viewer, resident.care_centre_id)?;
    let txn = audit::begin(db).await?;
    let mut row = bumped(locked(&txn, id, None).await?, now);
    row.status = Set(status);
    save(txn, viewer, row, now).await
}

/// Either an attached doctor or an external GP (name, optional clinic), exactly one.
pub async fn set_general_practitioner(
    db: &DatabaseConnection,
    viewer: &Viewer,
    id: Uuid,
    doctor: Option<Uuid>,
    external_name: Option<&str>,
    external_clinic: Option<&str>,
    now: DateTime<Utc>,
) -> AppResult<resident::Model> {
    require_role(viewer, &[Role::Coordinator])?;
    let resident = residents::get(db, viewer, id, Action::Write).await?;
    require_coordinator(viewer, resident.care_centre_id)?;
    let external_name = optional_text("externalName", external_name, 200)?;
    let external_clinic = optional_text("externalClinic", external_clinic, 200)?;
    match (doctor, &external_name) {
        (Some(_), Some(_)) | (None, None) => {
            return Err(AppError::validation("doctorId", "Give either doctorId or externalName"));
        }
        (Some(doctor), None) if !is_attached(db, doctor, resident.care_centre_id).await? => {
            return Err(AppError::validation("doctorId", "The doctor is not attached to the care centre"));
        }
        _ => {}
    }
    let txn = audit::begin(db).await?;
    let mut row = bumped(locked(&txn, id, None).await?, now);
    row.gp_doctor_id = Set(doctor);
    row.external_gp_clinic = Set(if doctor.is_some() { None } else { external_clinic });
    row.external_gp_name = Set(external_name);
    save(txn, viewer, row, now).await
}
