//! Care plans: drafts, agreement, relatives' acknowledgement.

use crate::error::AppResult;
use crate::graphql::authed;
use crate::graphql::types::CarePlan;
use crate::ids::{self, Kind};
use crate::services::plans::{self, DraftInput, Section};
use crate::services::residents::{Target, refused_write};
use async_graphql::{Context, ID, InputObject, Object};

#[derive(InputObject)]
pub struct CarePlanSectionInput {
    pub heading: String,
    pub text: String,
}

#[derive(InputObject)]
pub struct SaveCarePlanDraftInput {
    pub resident_id: ID,
    /// The draft being edited (with `expectedVersion`); none starts a new draft (next revision).
    pub care_plan_id: Option<ID>,
    pub expected_version: Option<i32>,
    pub goals: String,
    pub sections: Vec<CarePlanSectionInput>,
}

#[derive(InputObject)]
pub struct AgreeCarePlanInput {
    pub care_plan_id: ID,
    pub expected_version: i32,
    /// With whom it was agreed: the resident and/or a named relative.
    pub agreed_with: String,
    pub shared_with_relatives: bool,
}

#[derive(Default)]
pub struct PlanMutations;

#[Object]
impl PlanMutations {
    /// Staff (and the resident's GP) write drafts.
    async fn save_care_plan_draft(&self, ctx: &Context<'_>, input: SaveCarePlanDraftInput) -> AppResult<CarePlan> {
        let (state, viewer) = authed(ctx)?;
        let input = DraftInput {
            resident_id: ids::decode(&input.resident_id, Kind::Resident, "residentId")?,
            care_plan_id: input.care_plan_id.map(|p| ids::decode(&p, Kind::CarePlan, "carePlanId")).transpose()?,
            expected_version: input.expected_version,
            goals: input.goals,
            sections: input.sections.into_iter().map(|s| Section { heading: s.heading, text: s.text }).collect(),
        };
        let target = Some(Target::Resident(input.resident_id));
        let saved = plans::save_draft(&state.db, viewer, input, state.now).await;
        Ok(CarePlan(refused_write(&state.db, viewer, target, saved).await?))
    }

    /// COORDINATOR: the draft becomes the agreed plan; the one before is SUPERSEDED.
    async fn agree_care_plan(&self, ctx: &Context<'_>, input: AgreeCarePlanInput) -> AppResult<CarePlan> {
        let (state, viewer) = authed(ctx)?;
        let id = ids::decode(&input.care_plan_id, Kind::CarePlan, "carePlanId")?;
        let plan = plans::agree(
            &state.db,
            viewer,
            id,
            input.expected_version,
            &input.agreed_with,
            input.shared_with_relatives,
            state.now,
        )
        .await;
        Ok(CarePlan(refused_write(&state.db, viewer, Some(Target::CarePlan(id)), plan).await?))
    }

    /// RELATIVE: "I have read it".
    async fn acknowledge_care_plan(&self, ctx: &Context<'_>, care_plan_id: ID) -> AppResult<CarePlan> {
        let (state, viewer) = authed(ctx)?;
        let id = ids::decode(&care_plan_id, Kind::CarePlan, "carePlanId")?;
        let acknowledged = plans::acknowledge(&state.db, viewer, id, state.now).await;
        Ok(CarePlan(refused_write(&state.db, viewer, Some(Target::CarePlan(id)), acknowledged).await?))
    }
}
