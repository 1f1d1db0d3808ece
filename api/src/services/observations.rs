//! Recording observations (vital signs) with NEWS2, idempotent by the device's `clientMutationId`.
//! Observations are never edited or deleted; a wrong one is marked entered-in-error.

use super::{access, optional_text, residents};
use crate::audit::{self, Action, Outcome};
use crate::auth::Viewer;
use crate::domain::news2::{News2Input, News2Score, score};
use crate::error::{AppError, AppResult};
use crate::ids::new_id;
use chrono::{DateTime, Duration, Utc};
use entities::enums::{Consciousness, ResidentStatus, Role};
use entities::{observation, resident};
use sea_orm::ActiveValue::Set;
use sea_orm::{ActiveModelTrait, ColumnTrait, DatabaseConnection, EntityTrait, IntoActiveModel, QueryFilter, SqlErr};
use sha2::{Digest, Sha256};
use uuid::Uuid;

/// An observation set as entered on the device.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ObservationInput {
    pub client_mutation_id: Uuid,
    pub resident_id: Uuid,
    pub recorded_at: DateTime<Utc>,
    pub respiration_rate: Option<i32>,
    pub oxygen_saturation: Option<i32>,
    pub on_supplemental_oxygen: Option<bool>,
    pub systolic_bp: Option<i32>,
    pub diastolic_bp: Option<i32>,
    pub pulse: Option<i32>,
    pub consciousness: Option<Consciousness>,
    pub temperature: Option<f64>,
    pub blood_glucose: Option<f64>,
    pub weight_kg: Option<f64>,
    pub pain_score: Option<i32>,
    pub note: Option<String>,
}

/// How far a device clock may run ahead, and how old a queued offline observation may be.
const CLOCK_SKEW: Duration = Duration::minutes(5);
const MAX_AGE: Duration = Duration::days(30);

fn int_range(field: &str, value: Option<i32>, min: i32, max: i32, unit: &str) -> AppResult<()> {
    match value {
        Some(v) if !(min..=max).contains(&v) => {
            Err(AppError::validation(field, format!("{field} must be between {min} and {max} {unit}")))
        }
        _ => Ok(()),
    }
}

fn float_range(field: &str, value: Option<f64>, min: f64, max: f64, unit: &str) -> AppResult<()> {
    match value {
        Some(v) if !v.is_finite() || v < min || v > max => {
            Err(AppError::validation(field, format!("{field} must be between {min} and {max} {unit}")))
        }
        _ => Ok(()),
    }
}

/// One observation for `Query.node`, if the viewer may read the resident's clinical data.
pub async fn read(db: &DatabaseConnection, viewer: &Viewer, id: Uuid) -> AppResult<observation::Model> {
    let obs = observation::Entity::find_by_id(id).one(db).await?.ok_or(AppError::NotFound)?;
    let resident = residents::get(db, viewer, obs.resident_id, Action::Read).await?;
    residents::Clinical::check(viewer, &resident)?;
    // An observation's fields are the resident's data, logged here once for all of them.
    viewer.read(resident.id);
    Ok(obs)
}

/// Physiologically plausible ranges: wider than any alarm band, narrow enough to catch typos
/// (a pulse of 720, a temperature in Fahrenheit).
pub fn validate(input: &ObservationInput, now: DateTime<Utc>) -> AppResult<()> {
    int_range("respirationRate", input.respiration_rate, 2, 80, "/min")?;
    int_range("oxygenSaturation", input.oxygen_saturation, 50, 100, "%")?;
    int_range("systolicBp", input.systolic_bp, 40, 300, "mmHg")?;
    int_range("diastolicBp", input.diastolic_bp, 20, 200, "mmHg")?;
    if let (Some(sys), Some(dia)) = (input.systolic_bp, input.diastolic_bp)
        && dia >= sys
    {
        return Err(AppError::validation("diastolicBp", "diastolicBp must be below systolicBp"));
    }
    int_range("pulse", input.pulse, 20, 250, "/min")?;
    float_range("temperature", input.temperature, 25.0, 45.0, "°C")?;
    float_range("bloodGlucose", input.blood_glucose, 0.5, 50.0, "mmol/L")?;
    float_range("weightKg", input.weight_kg, 20.0, 300.0, "kg")?;
    int_range("painScore", input.pain_score, 0, 10, "")?;
    optional_text("note", input.note.as_deref(), 2000)?;
    if input.recorded_at > now + CLOCK_SKEW {
        return Err(AppError::validation("recordedAt", "recordedAt is in the future"));
    }
    if input.recorded_at < now - MAX_AGE {
        return Err(AppError::validation("recordedAt", "recordedAt is more than 30 days ago"));
    }
    let measured = [
        input.respiration_rate.is_some(),
        input.oxygen_saturation.is_some(),
        input.on_supplemental_oxygen.is_some(),
        input.systolic_bp.is_some(),
        input.diastolic_bp.is_some(),
        input.pulse.is_some(),
        input.consciousness.is_some(),
        input.temperature.is_some(),
        input.blood_glucose.is_some(),
        input.weight_kg.is_some(),
        input.pain_score.is_some(),
    ];
    if !measured.contains(&true) {
        return Err(AppError::validation("residentId", "An observation needs at least one measured value"));
    }
    Ok(())
}

/// A stable fingerprint of the payload, to tell a replay from a different write with the same id.
fn fingerprint(input: &ObservationInput) -> String {
    let text = format!(
        "{}|{}|{}|{:?}|{:?}|{:?}|{:?}|{:?}|{:?}|{:?}|{:?}|{:?}|{:?}|{:?}|{:?}",
        input.resident_id,
        input.recorded_at.timestamp_micros(),
        input.client_mutation_id,
        input.respiration_rate,
        input.oxygen_saturation,
        input.on_supplemental_oxygen,
        input.systolic_bp,
        input.diastolic_bp,
        input.pulse,
        input.consciousness,
        input.temperature,
        input.blood_glucose,
        input.weight_kg,
        input.pain_score,
        input.note.as_deref().map(str::trim),
    );
    Sha256::digest(text.as_bytes()).iter().map(|b| format!("{b:02x}")).collect()
}

/// Roles that record observations at all; which residents is [`access::require_clinical`]:
/// staff of the centre and the resident's GP (DESIGN §4).
const RECORDERS: &[Role] = &[Role::Nurse, Role::Coordinator, Role::Doctor];

pub struct Recorded {
    pub observation: observation::Model,
    pub news2: News2Score,
    pub resident: resident::Model,
    /// False for a replay of an earlier write.
    pub created: bool,
}

fn stored_score(o: &observation::Model) -> News2Score {
    News2Score {
        total: o.news2_total,
        risk: o.news2_risk,
        complete: o.news2_complete,
        any_single_parameter_three: o.news2_any_single_three,
    }
}

async fn replay(
    db: &DatabaseConnection,
    viewer: &Viewer,
    input: &ObservationInput,
    hash: &str,
) -> AppResult<Option<observation::Model>> {
    let earlier = observation::Entity::find()
        .filter(observation::Column::RecordedBy.eq(viewer.user_id))
        .filter(observation::Column::ClientMutationId.eq(input.client_mutation_id))
        .one(db)
        .await?;
    match earlier {
        Some(o) if o.payload_hash == hash => Ok(Some(o)),
        Some(_) => Err(AppError::Conflict("clientMutationId was already used for another observation".into())),
        None => Ok(None),
    }
}

pub async fn record(
    db: &DatabaseConnection,
    viewer: &Viewer,
    input: ObservationInput,
    now: DateTime<Utc>,
) -> AppResult<Recorded> {
    super::require_role(viewer, RECORDERS)?;
    let resident = residents::get(db, viewer, input.resident_id, Action::Write).await?;
    access::require_clinical(viewer, &resident)?;
    let hash = fingerprint(&input);
    if let Some(observation) = replay(db, viewer, &input, &hash).await? {
        return Ok(Recorded { news2: stored_score(&observation), observation, resident, created: false });
    }
    validate(&input, now)?;
    if matches!(resident.status, ResidentStatus::Discharged | ResidentStatus::Deceased) {
        return Err(AppError::validation("residentId", "The resident is no longer living at the centre"));
    }
    let news2 = score(
        &News2Input {
            respiration_rate: input.respiration_rate,
            oxygen_saturation: input.oxygen_saturation,
            on_supplemental_oxygen: input.on_supplemental_oxygen,
            systolic_bp: input.systolic_bp,
            pulse: input.pulse,
            consciousness: input.consciousness,
            temperature: input.temperature,
        },
        resident.spo2_scale,
    );
    let row = observation::ActiveModel {
        id: Set(new_id()),
        resident_id: Set(resident.id),
        recorded_at: Set(input.recorded_at),
        received_at: Set(now),
        recorded_by: Set(viewer.user_id),
        respiration_rate: Set(input.respiration_rate),
        oxygen_saturation: Set(input.oxygen_saturation),
        on_supplemental_oxygen: Set(input.on_supplemental_oxygen),
        systolic_bp: Set(input.systolic_bp),
        diastolic_bp: Set(input.diastolic_bp),
        pulse: Set(input.pulse),
        consciousness: Set(input.consciousness),
        temperature: Set(input.temperature.map(|t| (t * 10.0).round() / 10.0)),
        blood_glucose: Set(input.blood_glucose),
        weight_kg: Set(input.weight_kg),
        pain_score: Set(input.pain_score),
        note: Set(optional_text("note", input.note.as_deref(), 2000)?),
        news2_total: Set(news2.total),
        news2_risk: Set(news2.risk),
        news2_complete: Set(news2.complete),
        news2_any_single_three: Set(news2.any_single_parameter_three),
        client_mutation_id: Set(input.client_mutation_id),
        payload_hash: Set(hash.clone()),
        entered_in_error: Set(false),
        entered_in_error_reason: Set(None),
        entered_in_error_at: Set(None),
        entered_in_error_by: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
    };
    let txn = audit::begin(db).await?;
    match row.insert(&*txn).await {
        Ok(observation) => {
            txn.append(viewer, &[(resident.id, Action::Write, Outcome::Allowed)], now).await?;
            txn.commit().await?;
            Ok(Recorded { observation, news2, resident, created: true })
        }
        // A concurrent retry with the same id won the race: answer as a replay.
        Err(err) if matches!(err.sql_err(), Some(SqlErr::UniqueConstraintViolation(_))) => {
            drop(txn);
            let observation = replay(db, viewer, &input, &hash).await?.ok_or(AppError::internal(err))?;
            Ok(Recorded { news2: stored_score(&observation), observation, resident, created: false })
        }
        Err(err) => Err(err.into()),
    }
}

/// Marks an observation entered in error, with the reason; it stays in the record, struck through.
pub async fn mark_entered_in_error(
    db: &DatabaseConnection,
    viewer: &Viewer,
    id: Uuid,
    reason: &str,
    now: DateTime<Utc>,
) -> AppResult<observation::Model> {
    super::require_role(viewer, RECORDERS)?;
    let reason = super::required_text("reason", reason, 1000)?;
    let observation = observation::Entity::find_by_id(id).one(db).await?.ok_or(AppError::NotFound)?;
    let resident = residents::get(db, viewer, observation.resident_id, Action::Write).await?;
    access::require_clinical(viewer, &resident)?;
    if observation.entered_in_error {
        return Err(AppError::Conflict("The observation is already marked entered in error".into()));
    }
    let mut row = observation.into_active_model();
    row.entered_in_error = Set(true);
    row.entered_in_error_reason = Set(Some(reason));
    row.entered_in_error_at = Set(Some(now));
    row.entered_in_error_by = Set(Some(viewer.user_id));
    row.updated_at = Set(now);
    let txn = audit::begin(db).await?;
    let observation = row.update(&*txn).await?;
    txn.append(viewer, &[(resident.id, Action::Write, Outcome::Allowed)], now).await?;
    txn.commit().await?;
    Ok(observation)
}
