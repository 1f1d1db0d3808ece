//! What the resident's GP writes: resuscitation decisions, medication, medication reviews.

use crate::error::AppResult;
use crate::graphql::authed;
use crate::graphql::enums::ResuscitationChoice;
use crate::graphql::scalars::Date;
use crate::graphql::types::{Medication, MedicationReview, ResuscitationDecision};
use crate::ids::{self, Kind};
use crate::services::clinical::{self, MedicationInput, ReviewInput};
use crate::services::residents::{Target, refused_write};
use async_graphql::{Context, ID, InputObject, Object};

#[derive(InputObject)]
pub struct ResuscitationDecisionInput {
    pub resident_id: ID,
    pub decision: ResuscitationChoice,
    pub note: Option<String>,
}

#[derive(InputObject)]
pub struct AddMedicationInput {
    pub resident_id: ID,
    pub name: String,
    pub strength: String,
    pub dosage: String,
    /// As needed (PN).
    #[graphql(default = false)]
    pub prn: bool,
    #[graphql(default = false)]
    pub dose_dispensed: bool,
    pub indication: Option<String>,
    pub started_on: Date,
}

#[derive(InputObject)]
pub struct MedicationReviewInput {
    pub resident_id: ID,
    pub notes: String,
    /// Medications stopped in the review (stopped today).
    #[graphql(default)]
    pub stop_medication_ids: Vec<ID>,
    /// Active medications after the review, when the doctor states it (e.g. changes still to be
    /// made in FMK); default: the active count now minus `stopMedicationIds`.
    pub active_count_after: Option<i32>,
}

#[derive(Default)]
pub struct ClinicalMutations;

#[Object]
impl ClinicalMutations {
    /// The resident's GP records a decision; earlier ones stay as history.
    async fn record_resuscitation_decision(
        &self,
        ctx: &Context<'_>,
        input: ResuscitationDecisionInput,
    ) -> AppResult<ResuscitationDecision> {
        let (state, viewer) = authed(ctx)?;
        let resident = ids::decode(&input.resident_id, Kind::Resident, "residentId")?;
        let decision = clinical::record_resuscitation_decision(
            &state.db,
            viewer,
            resident,
            input.decision.into(),
            input.note.as_deref(),
            state.now,
        )
        .await;
        let decision = refused_write(&state.db, viewer, Some(Target::Resident(resident)), decision).await?;
        Ok(ResuscitationDecision(decision))
    }

    async fn add_medication(&self, ctx: &Context<'_>, input: AddMedicationInput) -> AppResult<Medication> {
        let (state, viewer) = authed(ctx)?;
        let input = MedicationInput {
            resident_id: ids::decode(&input.resident_id, Kind::Resident, "residentId")?,
            name: input.name,
            strength: input.strength,
            dosage: input.dosage,
            prn: input.prn,
            dose_dispensed: input.dose_dispensed,
            indication: input.indication,
            started_on: input.started_on.0,
        };
        let target = Some(Target::Resident(input.resident_id));
        let added = clinical::add_medication(&state.db, viewer, input, state.now).await;
        Ok(Medication(refused_write(&state.db, viewer, target, added).await?, state.today()))
    }

    async fn stop_medication(&self, ctx: &Context<'_>, medication_id: ID, stopped_on: Date) -> AppResult<Medication> {
        let (state, viewer) = authed(ctx)?;
        let id = ids::decode(&medication_id, Kind::Medication, "medicationId")?;
        let stopped = clinical::stop_medication(&state.db, viewer, id, stopped_on.0, state.now).await;
        Ok(Medication(refused_write(&state.db, viewer, Some(Target::Medication(id)), stopped).await?, state.today()))
    }

    async fn record_medication_review(
        &self,
        ctx: &Context<'_>,
        input: MedicationReviewInput,
    ) -> AppResult<MedicationReview> {
        let (state, viewer) = authed(ctx)?;
        let input = ReviewInput {
            resident_id: ids::decode(&input.resident_id, Kind::Resident, "residentId")?,
            notes: input.notes,
            stop_medication_ids: input
                .stop_medication_ids
                .iter()
                .map(|id| ids::decode(id, Kind::Medication, "stopMedicationIds"))
                .collect::<AppResult<Vec<_>>>()?,
            active_count_after: input.active_count_after,
        };
        let target = Some(Target::Resident(input.resident_id));
        let review = clinical::record_medication_review(&state.db, viewer, input, state.now).await;
        let review = refused_write(&state.db, viewer, target, review).await?;
        Ok(MedicationReview(review))
    }
}
