//! Query root (DESIGN §6).

use super::authed;
use super::connection::{Conn, connection, page};
use super::enums::ResidentStatus;
use super::types::*;
use crate::audit::Action;
use crate::error::{AppError, AppResult};
use crate::ids::{self, Kind};
use crate::services::{centres, meetings, observations, plans, questions, reports, residents};
use async_graphql::{Context, ID, Object};
use chrono::{DateTime, Utc};

pub struct QueryRoot;

#[Object]
impl QueryRoot {
    /// Any object with a global ID that the viewer may see.
    async fn node(&self, ctx: &Context<'_>, id: ID) -> AppResult<Option<Node>> {
        let (state, viewer) = authed(ctx)?;
        let db = &state.db;
        let node = match ids::decode_any(&id, "id")? {
            (Kind::CareCentre, id) => Node::CareCentre(CareCentre(centres::get(db, viewer, id).await?)),
            (Kind::Resident, id) => Node::Resident(Resident(residents::get(db, viewer, id, Action::Read).await?)),
            (Kind::Question, id) => Node::Question(Question(questions::get(db, viewer, id, Action::Read).await?)),
            (Kind::Meeting, id) => Node::Meeting(Meeting(meetings::read(db, viewer, id).await?)),
            (Kind::Observation, id) => Node::Observation(Observation(observations::read(db, viewer, id).await?)),
            (Kind::CarePlan, id) => Node::CarePlan(CarePlan(plans::read(db, viewer, id).await?)),
            _ => return Err(AppError::NotFound),
        };
        Ok(Some(node))
    }

    /// The signed-in user, their role and what they reach.
    async fn me(&self, ctx: &Context<'_>) -> AppResult<ViewerInfo> {
        Ok(ViewerInfo(authed(ctx)?.1.clone()))
    }

    async fn care_centres(&self, ctx: &Context<'_>) -> AppResult<Vec<CareCentre>> {
        let (state, viewer) = authed(ctx)?;
        Ok(centres::list(&state.db, viewer).await?.into_iter().map(CareCentre).collect())
    }

    async fn care_centre(&self, ctx: &Context<'_>, id: ID) -> AppResult<Option<CareCentre>> {
        let (state, viewer) = authed(ctx)?;
        let id = ids::decode(&id, Kind::CareCentre, "id")?;
        Ok(Some(CareCentre(centres::get(&state.db, viewer, id).await?)))
    }

    /// A centre's residents by name; `search` matches name or room; `myGpResidents` keeps the
    /// viewing doctor's own GP residents.
    #[allow(clippy::too_many_arguments)]
    async fn residents(
        &self,
        ctx: &Context<'_>,
        care_centre_id: ID,
        search: Option<String>,
        status: Option<Vec<ResidentStatus>>,
        my_gp_residents: Option<bool>,
        first: Option<i32>,
        after: Option<String>,
    ) -> AppResult<Conn<Resident>> {
        let centre = ids::decode(&care_centre_id, Kind::CareCentre, "careCentreId")?;
        residents_of(ctx, centre, search, status, my_gp_residents, first, after).await
    }

    async fn resident(&self, ctx: &Context<'_>, id: ID) -> AppResult<Option<Resident>> {
        let (state, viewer) = authed(ctx)?;
        let id = ids::decode(&id, Kind::Resident, "id")?;
        Ok(Some(Resident(residents::get(&state.db, viewer, id, Action::Read).await?)))
    }

    /// DOCTOR only: open questions addressed to the viewer; overdue first, then URGENT, then by due time.
    async fn doctor_queue(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
    ) -> AppResult<Conn<Question>> {
        let (state, viewer) = authed(ctx)?;
        let paged = questions::doctor_queue(&state.db, viewer, state.now, page::<Question>(first, after)?).await?;
        Ok(connection(paged, Question))
    }

    async fn question(&self, ctx: &Context<'_>, id: ID) -> AppResult<Option<Question>> {
        let (state, viewer) = authed(ctx)?;
        let id = ids::decode(&id, Kind::Question, "id")?;
        Ok(Some(Question(questions::get(&state.db, viewer, id, Action::Read).await?)))
    }

    /// Meetings starting in `[from, to)`, earliest first.
    async fn meetings(
        &self,
        ctx: &Context<'_>,
        care_centre_id: Option<ID>,
        from: Option<DateTime<Utc>>,
        to: Option<DateTime<Utc>>,
        first: Option<i32>,
        after: Option<String>,
    ) -> AppResult<Conn<Meeting>> {
        let (state, viewer) = authed(ctx)?;
        let centre = care_centre_id.map(|id| ids::decode(&id, Kind::CareCentre, "careCentreId")).transpose()?;
        let paged = meetings::list(&state.db, viewer, centre, from, to, page::<Meeting>(first, after)?).await?;
        Ok(connection(paged, Meeting))
    }

    async fn meeting(&self, ctx: &Context<'_>, id: ID) -> AppResult<Option<Meeting>> {
        let (state, viewer) = authed(ctx)?;
        let id = ids::decode(&id, Kind::Meeting, "id")?;
        Ok(Some(Meeting(meetings::read(&state.db, viewer, id).await?)))
    }

    /// Advisory minutes against the allotment for a month ("2026-11").
    async fn advisory_time_report(
        &self,
        ctx: &Context<'_>,
        care_centre_id: ID,
        month: String,
    ) -> AppResult<AdvisoryTimeReport> {
        let (state, viewer) = authed(ctx)?;
        let centre = ids::decode(&care_centre_id, Kind::CareCentre, "careCentreId")?;
        Ok(AdvisoryTimeReport(reports::advisory_time_report(&state.db, viewer, centre, &month).await?))
    }
}
