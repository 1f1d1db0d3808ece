//! Collaboration agreements (forventningsafstemning): the coordinator or the doctor proposes, the
//! other side accepts; AGREED only when both have, and then the agreement it replaces is SUPERSEDED.
//!
//! Decisions:
//! - Each proposal is a new row with revision = max + 1 for its centre and doctor; the proposer's
//!   side counts as accepted. Accepting again from the same side leaves it PROPOSED.
//! - A doctor proposes only for themself (another `doctorId` is `VALIDATION`); a coordinator names
//!   an attached doctor. Ranges: agenda deadline 0–336 h, routine answer 1–10 working days, urgent
//!   answer 1–48 h, vitals maximum age 1–48 h. `requiredVitals` may be empty (none required).
//! - A doctor of the centre who is not party to an agreement gets `NOT_FOUND` on accepting it.
//! - **In force** is AGREED; every rule reads the terms through [`agreements_in_force`] and the
//!   functions over it, with `Terms::default()` (DESIGN §3) where no agreement is in force.

use super::{optional_text, require_role};
use crate::auth::Viewer;
use crate::domain::terms::Terms;
use crate::error::{AppError, AppResult};
use crate::ids::new_id;
use chrono::{DateTime, NaiveDate, Utc};
use entities::collaboration_agreement as agreement;
use entities::enums::{AgreementStatus, ContactParty, MeetingCadence, Role, VitalSign};
use sea_orm::ActiveValue::Set;
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, IntoActiveModel, QueryFilter,
    QueryOrder, QuerySelect,
};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use uuid::Uuid;

/// The longest agenda deadline an agreement may set, in hours (two weeks).
pub const MAX_AGENDA_DEADLINE_HOURS: i32 = 336;

/// The agreements in force (AGREED) at `centres`, newest agreed first. Accepting an agreement
/// supersedes the one before in the same transaction, so there is one per centre and doctor;
/// should there ever be two, the newest counts everywhere. The one query for "in force".
pub async fn agreements_in_force(
    db: &impl ConnectionTrait,
    centres: impl IntoIterator<Item = Uuid>,
) -> AppResult<Vec<agreement::Model>> {
    Ok(agreement::Entity::find()
        .filter(agreement::Column::CareCentreId.is_in(centres))
        .filter(agreement::Column::Status.eq(AgreementStatus::Agreed))
        .order_by_desc(agreement::Column::AgreedAt)
        .order_by_desc(agreement::Column::Id)
        .all(db)
        .await?)
}

/// The agreement in force at `centre` with `doctor`; without a doctor, the centre's newest.
pub async fn agreement_in_force(
    db: &impl ConnectionTrait,
    centre: Uuid,
    doctor: Option<Uuid>,
) -> AppResult<Option<agreement::Model>> {
    let mut agreements = agreements_in_force(db, [centre]).await?.into_iter();
    Ok(match doctor {
        Some(doctor) => agreements.find(|a| a.doctor_id == doctor),
        None => agreements.next(),
    })
}

/// The terms in force at `centre` with `doctor` (chosen as in [`agreement_in_force`]), DESIGN §3's
/// defaults without an agreement.
pub async fn in_force(db: &impl ConnectionTrait, centre: Uuid, doctor: Option<Uuid>) -> AppResult<Terms> {
    Ok(agreement_in_force(db, centre, doctor).await?.as_ref().map_or_else(Terms::default, terms_of))
}

/// The terms in force at `centres`, by centre and doctor, for batched reads (one statement);
/// a pair missing from the map has the defaults.
pub async fn in_force_by_doctor(
    db: &impl ConnectionTrait,
    centres: impl IntoIterator<Item = Uuid>,
) -> AppResult<HashMap<(Uuid, Uuid), Terms>> {
    let mut terms = HashMap::new();
    for agreement in agreements_in_force(db, centres).await? {
        terms.entry((agreement.care_centre_id, agreement.doctor_id)).or_insert_with(|| terms_of(&agreement));
    }
    Ok(terms)
}

/// The terms an agreement sets; stored vitals that do not read back as a list mean all six.
fn terms_of(agreement: &agreement::Model) -> Terms {
    Terms {
        agenda_deadline_hours: agreement.agenda_deadline_hours,
        routine_answer_working_days: agreement.routine_answer_working_days,
        urgent_answer_hours: agreement.urgent_answer_hours,
        required_vitals: serde_json::from_value(agreement.required_vitals.clone())
            .unwrap_or_else(|_| Terms::default().required_vitals),
        vitals_max_age_hours: agreement.vitals_max_age_hours,
    }
}

/// A window in which the doctor answers fast, and how.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct FastWindow {
    pub weekday: i32,
    pub from: String,
    pub to: String,
    pub channel: String,
}

#[derive(Debug, Clone)]
pub struct AgreementInput {
    pub care_centre_id: Uuid,
    /// Required when the coordinator proposes; a doctor proposes for themself.
    pub doctor_id: Option<Uuid>,
    pub meeting_cadence: MeetingCadence,
    pub agenda_deadline_hours: i32,
    pub routine_answer_working_days: i32,
    pub urgent_answer_hours: i32,
    pub fast_response_windows: Vec<FastWindow>,
    pub hotline_usage: String,
    pub required_vitals: Vec<VitalSign>,
    pub vitals_max_age_hours: i32,
    pub relatives_contacted_by: ContactParty,
    pub move_in_coordinated_by: ContactParty,
    pub resuscitation_documented_by: ContactParty,
    pub next_evaluation_on: Option<NaiveDate>,
}

fn range(field: &str, value: i32, min: i32, max: i32) -> AppResult<()> {
    if (min..=max).contains(&value) {
        Ok(())
    } else {
        Err(AppError::validation(field, format!("{field} must be between {min} and {max}")))
    }
}

fn clock_time(value: &str) -> bool {
    chrono::NaiveTime::parse_from_str(value, "%H:%M").is_ok()
}

fn validate(input: &AgreementInput) -> AppResult<()> {
    range("agendaDeadlineHours", input.agenda_deadline_hours, 0, MAX_AGENDA_DEADLINE_HOURS)?;
    range("routineAnswerWorkingDays", input.routine_answer_working_days, 1, 10)?;
    range("urgentAnswerHours", input.urgent_answer_hours, 1, 48)?;
    range("vitalsMaxAgeHours", input.vitals_max_age_hours, 1, 48)?;
    for window in &input.fast_response_windows {
        let valid = (1..=7).contains(&window.weekday)
            && clock_time(&window.from)
            && clock_time(&window.to)
            && window.from < window.to
            && matches!(window.channel.as_str(), "PHONE" | "MESSAGE");
        if !valid {
            return Err(AppError::validation(
                "fastResponseWindows",
                "A window is a weekday 1–7, from and to as HH:MM (from before to), channel PHONE or MESSAGE",
            ));
        }
    }
    Ok(())
}

/// The viewer's side of an agreement at `centre`, or why they have none.
fn side(viewer: &Viewer, centre: Uuid, doctor: Uuid) -> AppResult<Role> {
    require_role(viewer, &[Role::Coordinator, Role::Doctor])?;
    if !viewer.serves_centre(centre) {
        return Err(AppError::NotFound);
    }
    if viewer.role == Role::Doctor && viewer.doctor_id != Some(doctor) {
        return Err(AppError::NotFound);
    }
    Ok(viewer.role)
}

pub async fn propose(
    db: &DatabaseConnection,
    viewer: &Viewer,
    input: AgreementInput,
    now: DateTime<Utc>,
) -> AppResult<agreement::Model> {
    require_role(viewer, &[Role::Coordinator, Role::Doctor])?;
    if !viewer.serves_centre(input.care_centre_id) {
        return Err(AppError::NotFound);
    }
    let doctor = match (viewer.role, input.doctor_id, viewer.doctor_id) {
        (Role::Doctor, Some(named), Some(me)) if named != me => {
            return Err(AppError::validation("doctorId", "A doctor proposes an agreement for themself"));
        }
        (Role::Doctor, _, Some(me)) => me,
        (Role::Coordinator, Some(doctor), _) => doctor,
        _ => return Err(AppError::validation("doctorId", "Name the doctor the agreement is with")),
    };
    let role = side(viewer, input.care_centre_id, doctor)?;
    validate(&input)?;
    if !super::roster::is_attached(db, doctor, input.care_centre_id).await? {
        return Err(AppError::validation("doctorId", "The doctor is not attached to the care centre"));
    }
    let hotline = optional_text("hotlineUsage", Some(&input.hotline_usage), 2000)?.unwrap_or_default();
    let mut required_vitals = Vec::with_capacity(input.required_vitals.len());
    for vital in &input.required_vitals {
        if !required_vitals.contains(vital) {
            required_vitals.push(*vital);
        }
    }
    let txn = crate::audit::begin(db).await?;
    let revision: Option<i32> = agreement::Entity::find()
        .select_only()
        .column_as(agreement::Column::Revision.max(), "max")
        .filter(agreement::Column::CareCentreId.eq(input.care_centre_id))
        .filter(agreement::Column::DoctorId.eq(doctor))
        .into_tuple()
        .one(&*txn)
        .await?
        .flatten();
    let coordinator = role == Role::Coordinator;
    let row = agreement::ActiveModel {
        id: Set(new_id()),
        care_centre_id: Set(input.care_centre_id),
        doctor_id: Set(doctor),
        revision: Set(revision.unwrap_or(0) + 1),
        status: Set(AgreementStatus::Proposed),
        meeting_cadence: Set(input.meeting_cadence),
        agenda_deadline_hours: Set(input.agenda_deadline_hours),
        routine_answer_working_days: Set(input.routine_answer_working_days),
        urgent_answer_hours: Set(input.urgent_answer_hours),
        fast_response_windows: Set(serde_json::to_value(&input.fast_response_windows).map_err(AppError::internal)?),
        hotline_usage: Set(hotline),
        required_vitals: Set(serde_json::to_value(&required_vitals).map_err(AppError::internal)?),
        vitals_max_age_hours: Set(input.vitals_max_age_hours),
        relatives_contacted_by: Set(input.relatives_contacted_by),
        move_in_coordinated_by: Set(input.move_in_coordinated_by),
        resuscitation_documented_by: Set(input.resuscitation_documented_by),
        next_evaluation_on: Set(input.next_evaluation_on),
        proposed_by: Set(Some(viewer.user_id)),
        coordinator_accepted_by: Set(coordinator.then_some(viewer.user_id)),
        coordinator_accepted_at: Set(coordinator.then_some(now)),
        doctor_accepted_by: Set((!coordinator).then_some(viewer.user_id)),
        doctor_accepted_at: Set((!coordinator).then_some(now)),
        agreed_at: Set(None),
        version: Set(1),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(&*txn)
    .await?;
    txn.commit().await?;
    Ok(row)
}

/// The other side accepts a PROPOSED agreement; with both acceptances it is AGREED.
pub async fn accept(
    db: &DatabaseConnection,
    viewer: &Viewer,
    id: Uuid,
    now: DateTime<Utc>,
) -> AppResult<agreement::Model> {
    require_role(viewer, &[Role::Coordinator, Role::Doctor])?;
    let txn = crate::audit::begin(db).await?;
    let current = agreement::Entity::find_by_id(id).one(&*txn).await?.ok_or(AppError::NotFound)?;
    let role = side(viewer, current.care_centre_id, current.doctor_id)?;
    if current.status != AgreementStatus::Proposed {
        return Err(AppError::validation("agreementId", "Only a proposed agreement can be accepted"));
    }
    let (centre, doctor, version) = (current.care_centre_id, current.doctor_id, current.version);
    let coordinator_done = current.coordinator_accepted_at.is_some() || role == Role::Coordinator;
    let doctor_done = current.doctor_accepted_at.is_some() || role == Role::Doctor;
    let mut row = current.into_active_model();
    if role == Role::Coordinator {
        row.coordinator_accepted_by = Set(Some(viewer.user_id));
        row.coordinator_accepted_at = Set(Some(now));
    } else {
        row.doctor_accepted_by = Set(Some(viewer.user_id));
        row.doctor_accepted_at = Set(Some(now));
    }
    if coordinator_done && doctor_done {
        supersede(&*txn, centre, doctor, now).await?;
        row.status = Set(AgreementStatus::Agreed);
        row.agreed_at = Set(Some(now));
    }
    row.version = Set(version + 1);
    row.updated_at = Set(now);
    let saved = row.update(&*txn).await?;
    txn.commit().await?;
    Ok(saved)
}

async fn supersede(db: &impl ConnectionTrait, centre: Uuid, doctor: Uuid, now: DateTime<Utc>) -> AppResult<()> {
    agreement::Entity::update_many()
        .col_expr(agreement::Column::Status, Expr::value(AgreementStatus::Superseded))
        .col_expr(agreement::Column::Version, Expr::col(agreement::Column::Version).add(1))
        .col_expr(agreement::Column::UpdatedAt, Expr::value(now))
        .filter(agreement::Column::CareCentreId.eq(centre))
        .filter(agreement::Column::DoctorId.eq(doctor))
        .filter(agreement::Column::Status.eq(AgreementStatus::Agreed))
        .exec(db)
        .await?;
    Ok(())
}
