//! Care centres and their attached doctors.

use super::{CollaborationAgreement, Question, Resident, loader, residents_of};
use crate::error::AppResult;
use crate::graphql::authed;
use crate::graphql::connection::{Conn, connection, page};
use crate::graphql::enums::*;
use crate::graphql::loaders::*;
use crate::ids::{Kind, encode};
use crate::services::{centres, terms};
use async_graphql::{Context, ID, Object};
use entities::care_centre;

pub struct Doctor(pub DoctorRow);

#[Object]
impl Doctor {
    async fn id(&self) -> ID {
        encode(Kind::Doctor, self.0.doctor.id)
    }
    async fn display_name(&self) -> &str {
        &self.0.name
    }
    async fn practice_name(&self) -> &str {
        &self.0.doctor.practice_name
    }
    async fn phone(&self) -> &str {
        &self.0.doctor.phone
    }
    async fn authorisation_id(&self) -> &str {
        &self.0.doctor.authorisation_id
    }
}

pub struct CareCentre(pub care_centre::Model);

#[Object]
impl CareCentre {
    // `pub(super)`: the `Node` interface in `types/mod.rs` calls it.
    pub(super) async fn id(&self) -> ID {
        encode(Kind::CareCentre, self.0.id)
    }
    async fn name(&self) -> &str {
        &self.0.name
    }
    async fn municipality(&self) -> &str {
        &self.0.municipality
    }
    async fn address(&self) -> &str {
        &self.0.address
    }
    async fn phone(&self) -> &str {
        &self.0.phone
    }
    async fn hotline_phone(&self) -> &str {
        &self.0.hotline_phone
    }
    /// Weekly general-advisory minutes the municipality pays for (not shown to relatives).
    async fn weekly_advisory_minutes(&self, ctx: &Context<'_>) -> AppResult<i32> {
        centres::require_internal(authed(ctx)?.1)?;
        Ok(self.0.weekly_advisory_minutes)
    }
    /// The centre's attached doctors.
    async fn doctors(&self, ctx: &Context<'_>) -> AppResult<Vec<Doctor>> {
        let rows = loader(ctx).load_one(DoctorsOfCentre(self.0.id)).await?.unwrap_or_default();
        Ok(rows.into_iter().map(Doctor).collect())
    }
    /// The agreement in force with `doctorId` (default: the viewing doctor, else the centre's newest agreement).
    async fn agreement(&self, ctx: &Context<'_>, doctor_id: Option<ID>) -> AppResult<Option<CollaborationAgreement>> {
        let (state, viewer) = authed(ctx)?;
        centres::require_internal(viewer)?;
        let wanted = match doctor_id {
            Some(id) => Some(crate::ids::decode(&id, Kind::Doctor, "doctorId")?),
            None => viewer.doctor_id,
        };
        Ok(terms::agreement_in_force(&state.db, self.0.id, wanted).await?.map(CollaborationAgreement))
    }
    /// All agreements in force at the centre, one per attached doctor.
    async fn agreements(&self, ctx: &Context<'_>) -> AppResult<Vec<CollaborationAgreement>> {
        let (state, viewer) = authed(ctx)?;
        centres::require_internal(viewer)?;
        Ok(terms::agreements_in_force(&state.db, [self.0.id]).await?.into_iter().map(CollaborationAgreement).collect())
    }
    /// Who contacts relatives, per the agreement in force (relatives may see this).
    async fn relatives_contacted_by(&self, ctx: &Context<'_>) -> AppResult<Option<ContactParty>> {
        let (state, _) = authed(ctx)?;
        let newest = terms::agreement_in_force(&state.db, self.0.id, None).await?;
        Ok(newest.map(|a| a.relatives_contacted_by.into()))
    }
    async fn residents(
        &self,
        ctx: &Context<'_>,
        search: Option<String>,
        status: Option<Vec<ResidentStatus>>,
        first: Option<i32>,
        after: Option<String>,
    ) -> AppResult<Conn<Resident>> {
        residents_of(ctx, self.0.id, search, status, None, first, after).await
    }
    /// The centre's questions, newest first: for its nurses and coordinators all of them (general
    /// questions included), for a doctor those addressed to them; nobody else sees any.
    async fn questions(
        &self,
        ctx: &Context<'_>,
        status: Option<Vec<QuestionStatus>>,
        first: Option<i32>,
        after: Option<String>,
    ) -> AppResult<Conn<Question>> {
        let (state, viewer) = authed(ctx)?;
        let statuses = status.unwrap_or_default().into_iter().map(Into::into).collect();
        let paged = crate::services::questions::of_centre(
            &state.db,
            viewer,
            self.0.id,
            statuses,
            page::<Question>(first, after)?,
        )
        .await?;
        Ok(connection(paged, Question))
    }
}
