//! The roster: admit, update, discharge, choose the GP.

use crate::error::AppResult;
use crate::graphql::authed;
use crate::graphql::enums::{ResidentStatus, SpO2Scale};
use crate::graphql::scalars::Date;
use crate::graphql::types::Resident;
use crate::ids::{self, Kind};
use crate::services::residents::{Target, refused_write};
use crate::services::roster::{self, AdmitInput, UpdateInput};
use async_graphql::{Context, ID, InputObject, Object};

#[derive(InputObject)]
pub struct AdmitResidentInput {
    pub care_centre_id: ID,
    pub full_name: String,
    pub date_of_birth: Date,
    pub room: String,
    pub moved_in_on: Date,
    /// An attached doctor as GP; or give `externalGpName`.
    pub gp_doctor_id: Option<ID>,
    pub external_gp_name: Option<String>,
    pub external_gp_clinic: Option<String>,
    /// Default and only choice at admission: SCALE_1. SCALE_2 is the GP's decision, made with
    /// `updateResident` (FORBIDDEN here).
    pub spo2_scale: Option<SpO2Scale>,
    /// Default 1 (residents are taken in in stages, 1–5).
    pub intake_stage: Option<i32>,
}

#[derive(InputObject)]
pub struct UpdateResidentInput {
    pub id: ID,
    /// The `version` the client read; a stale one is CONFLICT.
    pub expected_version: i32,
    pub full_name: Option<String>,
    pub room: Option<String>,
    pub date_of_birth: Option<Date>,
    /// Only the resident's GP sets the scale (SCALE_2 for hypercapnic respiratory failure).
    pub spo2_scale: Option<SpO2Scale>,
    pub intake_stage: Option<i32>,
}

#[derive(InputObject)]
pub struct SetGeneralPractitionerInput {
    pub resident_id: ID,
    /// An attached doctor; or `externalName` (and `externalClinic`) for an external GP.
    pub doctor_id: Option<ID>,
    pub external_name: Option<String>,
    pub external_clinic: Option<String>,
}

#[derive(Default)]
pub struct RosterMutations;

#[Object]
impl RosterMutations {
    /// COORDINATOR: a new resident moves in.
    async fn admit_resident(&self, ctx: &Context<'_>, input: AdmitResidentInput) -> AppResult<Resident> {
        let (state, viewer) = authed(ctx)?;
        let input = AdmitInput {
            care_centre_id: ids::decode(&input.care_centre_id, Kind::CareCentre, "careCentreId")?,
            full_name: input.full_name,
            date_of_birth: input.date_of_birth.0,
            room: input.room,
            moved_in_on: input.moved_in_on.0,
            gp_doctor_id: input.gp_doctor_id.map(|d| ids::decode(&d, Kind::Doctor, "gpDoctorId")).transpose()?,
            external_gp_name: input.external_gp_name,
            external_gp_clinic: input.external_gp_clinic,
            spo2_scale: input.spo2_scale.map(Into::into),
            intake_stage: input.intake_stage,
        };
        Ok(Resident(roster::admit(&state.db, viewer, input, state.now).await?))
    }

    /// COORDINATOR: roster fields (name, room, date of birth, intake stage). The resident's GP:
    /// `spo2Scale` only. Anyone else, or a field of the other's, is FORBIDDEN.
    async fn update_resident(&self, ctx: &Context<'_>, input: UpdateResidentInput) -> AppResult<Resident> {
        let (state, viewer) = authed(ctx)?;
        let input = UpdateInput {
            id: ids::decode(&input.id, Kind::Resident, "id")?,
            expected_version: input.expected_version,
            full_name: input.full_name,
            room: input.room,
            date_of_birth: input.date_of_birth.map(|d| d.0),
            spo2_scale: input.spo2_scale.map(Into::into),
            intake_stage: input.intake_stage,
        };
        let target = Some(Target::Resident(input.id));
        let updated = roster::update(&state.db, viewer, input, state.now).await;
        Ok(Resident(refused_write(&state.db, viewer, target, updated).await?))
    }

    /// COORDINATOR: moved out (DISCHARGED) or died (DECEASED).
    async fn discharge_resident(
        &self,
        ctx: &Context<'_>,
        resident_id: ID,
        status: ResidentStatus,
    ) -> AppResult<Resident> {
        let (state, viewer) = authed(ctx)?;
        let id = ids::decode(&resident_id, Kind::Resident, "residentId")?;
        let discharged = roster::discharge(&state.db, viewer, id, status.into(), state.now).await;
        Ok(Resident(refused_write(&state.db, viewer, Some(Target::Resident(id)), discharged).await?))
    }

    async fn set_general_practitioner(
        &self,
        ctx: &Context<'_>,
        input: SetGeneralPractitionerInput,
    ) -> AppResult<Resident> {
        let (state, viewer) = authed(ctx)?;
        let id = ids::decode(&input.resident_id, Kind::Resident, "residentId")?;
        let doctor = input.doctor_id.map(|d| ids::decode(&d, Kind::Doctor, "doctorId")).transpose()?;
        let resident = roster::set_general_practitioner(
            &state.db,
            viewer,
            id,
            doctor,
            input.external_name.as_deref(),
            input.external_clinic.as_deref(),
            state.now,
        )
        .await;
        Ok(Resident(refused_write(&state.db, viewer, Some(Target::Resident(id)), resident).await?))
    }
}
