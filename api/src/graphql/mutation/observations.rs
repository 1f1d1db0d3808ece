//! Recording observations at the bedside.

use crate::error::AppResult;
use crate::events::Event;
use crate::graphql::authed;
use crate::graphql::enums::{Consciousness, News2Risk};
use crate::graphql::types::{News2Score, Observation};
use crate::ids::{self, Kind};
use crate::services::observations::{self as service, ObservationInput};
use crate::services::residents::{Target, refused_write};
use async_graphql::{Context, Enum, ID, InputObject, Object, SimpleObject};
use chrono::{DateTime, Utc};
use entities::enums::News2Risk as StoredRisk;

#[derive(InputObject)]
pub struct RecordObservationInput {
    /// UUID made on the device; a replay with the same id returns the first result.
    pub client_mutation_id: ID,
    pub resident_id: ID,
    /// When it was measured (device time).
    pub recorded_at: DateTime<Utc>,
    /// Breaths per minute.
    pub respiration_rate: Option<i32>,
    /// SpO2 in %.
    pub oxygen_saturation: Option<i32>,
    pub on_supplemental_oxygen: Option<bool>,
    /// mmHg.
    pub systolic_bp: Option<i32>,
    /// mmHg.
    pub diastolic_bp: Option<i32>,
    /// Beats per minute.
    pub pulse: Option<i32>,
    pub consciousness: Option<Consciousness>,
    /// °C.
    pub temperature: Option<f64>,
    /// mmol/L.
    pub blood_glucose: Option<f64>,
    pub weight_kg: Option<f64>,
    /// 0–10.
    pub pain_score: Option<i32>,
    pub note: Option<String>,
}

/// What to do now, by NEWS2 risk. It supports, and never replaces, clinical judgement.
#[derive(Enum, Clone, Copy, PartialEq, Eq)]
#[graphql(remote = "crate::domain::escalation::EscalationLevel")]
pub enum EscalationLevel {
    RoutineMonitoring,
    InformNurseInCharge,
    UrgentDoctorContact,
    Emergency,
}

#[derive(SimpleObject)]
pub struct EscalationAdvice {
    pub level: EscalationLevel,
    pub risk_level: News2Risk,
    /// Suggested hours until the next observation set (0 = continuous).
    pub monitoring_interval_hours: i32,
    /// English text; clients show their own translation of `level`.
    pub message: String,
}

#[derive(SimpleObject)]
pub struct RecordObservationPayload {
    pub observation: Observation,
    pub news2: News2Score,
    pub escalation: EscalationAdvice,
}

fn client_mutation_id(id: &ID) -> AppResult<uuid::Uuid> {
    uuid::Uuid::parse_str(id.as_str())
        .map_err(|_| crate::error::AppError::validation("clientMutationId", "clientMutationId must be a UUID"))
}

#[derive(Default)]
pub struct ObservationMutations;

#[Object]
impl ObservationMutations {
    /// Records a set of vital signs; the server computes NEWS2 with the resident's SpO2 scale.
    async fn record_observation(
        &self,
        ctx: &Context<'_>,
        input: RecordObservationInput,
    ) -> AppResult<RecordObservationPayload> {
        let (state, viewer) = authed(ctx)?;
        let input = ObservationInput {
            client_mutation_id: client_mutation_id(&input.client_mutation_id)?,
            resident_id: ids::decode(&input.resident_id, Kind::Resident, "residentId")?,
            recorded_at: input.recorded_at,
            respiration_rate: input.respiration_rate,
            oxygen_saturation: input.oxygen_saturation,
            on_supplemental_oxygen: input.on_supplemental_oxygen,
            systolic_bp: input.systolic_bp,
            diastolic_bp: input.diastolic_bp,
            pulse: input.pulse,
            consciousness: input.consciousness.map(Into::into),
            temperature: input.temperature,
            blood_glucose: input.blood_glucose,
            weight_kg: input.weight_kg,
            pain_score: input.pain_score,
            note: input.note,
        };
        let target = Some(Target::Resident(input.resident_id));
        let recorded =
            refused_write(&state.db, viewer, target, service::record(&state.db, viewer, input, state.now).await)
                .await?;
        let news2 = recorded.news2;
        if recorded.created && matches!(news2.risk, StoredRisk::Medium | StoredRisk::High) {
            let event = Event::ObservationAlert {
                observation: recorded.observation.id,
                resident: recorded.resident.id,
                centre: recorded.resident.care_centre_id,
            };
            state.events.publish(event).await;
        }
        let advice = crate::domain::escalation::escalation(&news2);
        Ok(RecordObservationPayload {
            observation: Observation(recorded.observation),
            news2: News2Score {
                total: news2.total,
                risk_level: news2.risk.into(),
                complete: news2.complete,
                any_single_parameter_three: news2.any_single_parameter_three,
            },
            escalation: EscalationAdvice {
                level: advice.level.into(),
                risk_level: news2.risk.into(),
                monitoring_interval_hours: advice.monitoring_interval_hours,
                message: advice.message.into(),
            },
        })
    }

    /// Marks a wrong observation; it is never edited or deleted. Record a new one instead.
    async fn mark_observation_entered_in_error(
        &self,
        ctx: &Context<'_>,
        id: ID,
        reason: String,
    ) -> AppResult<Observation> {
        let (state, viewer) = authed(ctx)?;
        let id = ids::decode(&id, Kind::Observation, "id")?;
        let marked = service::mark_entered_in_error(&state.db, viewer, id, &reason, state.now).await;
        Ok(Observation(refused_write(&state.db, viewer, Some(Target::Observation(id)), marked).await?))
    }
}
