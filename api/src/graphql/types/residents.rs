//! Residents: every field logs the read for the access log; and a resident's access log.

use super::{
    CareCentre, CarePlan, Doctor, Medication, MedicationReview, Observation, Question, RelativeLink,
    ResuscitationDecision, User, load_doctor, loader,
};
use crate::audit::Action;
use crate::error::{AppError, AppResult};
use crate::graphql::connection::{Conn, connection, page};
use crate::graphql::enums::*;
use crate::graphql::loaders::*;
use crate::graphql::scalars::Date;
use crate::graphql::{authed, reader};
use crate::ids::{Kind, encode};
use crate::services::access;
use crate::services::residents::{self as resident_service, Clinical};
use async_graphql::{Context, ID, Object, SimpleObject};
use chrono::{DateTime, Utc};
use entities::{resident, user};

/// Shared by `Query.residents` and `CareCentre.residents`.
pub async fn residents_of(
    ctx: &Context<'_>,
    centre: uuid::Uuid,
    search: Option<String>,
    status: Option<Vec<ResidentStatus>>,
    my_gp_residents: Option<bool>,
    first: Option<i32>,
    after: Option<String>,
) -> AppResult<Conn<Resident>> {
    let (state, viewer) = authed(ctx)?;
    let filter = resident_service::ResidentFilter {
        search,
        statuses: status.unwrap_or_default().into_iter().map(Into::into).collect(),
        my_gp_residents: my_gp_residents.unwrap_or(false),
    };
    let paged = resident_service::list(&state.db, viewer, centre, &filter, page::<Resident>(first, after)?).await?;
    Ok(connection(paged, Resident))
}

/// The resident's GP: an attached doctor, or an external GP by name and clinic.
#[derive(SimpleObject)]
pub struct GeneralPractitioner {
    pub doctor: Option<Doctor>,
    pub external_name: Option<String>,
    pub external_clinic: Option<String>,
}

#[derive(SimpleObject)]
pub struct News2Point {
    pub recorded_at: DateTime<Utc>,
    pub total: i32,
    pub risk_level: News2Risk,
    pub complete: bool,
}

pub struct Resident(pub resident::Model);

/// Every field of a resident logs, for the access log, that the answer carries the resident's
/// data (DESIGN §7; listed in [`access::RESIDENT_DATA`]): a read, or a refused read for a field the
/// viewer may not read. So the row follows what the answer carried, not how the resident was found.
impl Resident {
    fn read(&self, ctx: &Context<'_>) {
        if let Some(viewer) = reader(ctx) {
            viewer.read(self.0.id);
        }
    }

    /// The field's answer, logged as a read, or as a refused read when it is refused.
    fn logged<T>(&self, ctx: &Context<'_>, answer: AppResult<T>) -> AppResult<T> {
        match (&answer, reader(ctx)) {
            (Ok(_), Some(viewer)) => viewer.read(self.0.id),
            (Err(AppError::NotFound | AppError::Forbidden), Some(viewer)) => viewer.denied(self.0.id, Action::Read),
            _ => {}
        }
        answer
    }

    /// A clinical field: logged as a read, or as a refused read ([`Clinical::check`]).
    fn clinical<'a>(&'a self, ctx: &Context<'a>) -> AppResult<(&'a crate::graphql::RequestState, Clinical<'a>)> {
        let (state, viewer) = authed(ctx)?;
        let clinical = Clinical::check(viewer, &self.0)?;
        viewer.read(self.0.id);
        Ok((state, clinical))
    }
}

#[Object]
impl Resident {
    // `pub(super)`: the `Node` interface in `types/mod.rs` calls it.
    pub(super) async fn id(&self, ctx: &Context<'_>) -> ID {
        self.read(ctx);
        encode(Kind::Resident, self.0.id)
    }
    async fn full_name(&self, ctx: &Context<'_>) -> &str {
        self.read(ctx);
        &self.0.full_name
    }
    async fn date_of_birth(&self, ctx: &Context<'_>) -> Date {
        self.read(ctx);
        Date(self.0.date_of_birth)
    }
    async fn room(&self, ctx: &Context<'_>) -> &str {
        self.read(ctx);
        &self.0.room
    }
    async fn moved_in_on(&self, ctx: &Context<'_>) -> Date {
        self.read(ctx);
        Date(self.0.moved_in_on)
    }
    async fn status(&self, ctx: &Context<'_>) -> ResidentStatus {
        self.read(ctx);
        self.0.status.into()
    }
    async fn spo2_scale(&self, ctx: &Context<'_>) -> SpO2Scale {
        self.read(ctx);
        self.0.spo2_scale.into()
    }
    async fn intake_stage(&self, ctx: &Context<'_>) -> i32 {
        self.read(ctx);
        self.0.intake_stage
    }
    /// Optimistic-concurrency version, sent back with updates.
    async fn version(&self, ctx: &Context<'_>) -> i32 {
        self.read(ctx);
        self.0.version
    }
    async fn care_centre(&self, ctx: &Context<'_>) -> AppResult<CareCentre> {
        self.read(ctx);
        let centre = loader(ctx).load_one(CentreById(self.0.care_centre_id)).await?;
        centre.map(CareCentre).ok_or(AppError::NotFound)
    }
    async fn general_practitioner(&self, ctx: &Context<'_>) -> AppResult<GeneralPractitioner> {
        self.read(ctx);
        let doctor = match self.0.gp_doctor_id {
            Some(id) => load_doctor(ctx, id).await?,
            None => None,
        };
        Ok(GeneralPractitioner {
            doctor,
            external_name: self.0.external_gp_name.clone(),
            external_clinic: self.0.external_gp_clinic.clone(),
        })
    }
    /// Whether the viewer may read this resident's clinical record (the fields below).
    async fn clinical_access(&self, ctx: &Context<'_>) -> AppResult<bool> {
        let viewer = authed(ctx)?.1;
        self.read(ctx);
        Ok(access::can_read_clinical(viewer, &self.0))
    }
    /// The newest observation not entered in error.
    async fn latest_observation(&self, ctx: &Context<'_>) -> AppResult<Option<Observation>> {
        self.clinical(ctx)?;
        Ok(loader(ctx).load_one(LatestObservation(self.0.id)).await?.map(Observation))
    }
    async fn observations(
        &self,
        ctx: &Context<'_>,
        from: Option<DateTime<Utc>>,
        to: Option<DateTime<Utc>>,
        first: Option<i32>,
        after: Option<String>,
    ) -> AppResult<Conn<Observation>> {
        let (state, clinical) = self.clinical(ctx)?;
        let paged =
            resident_service::observations(&state.db, &clinical, from, to, page::<Observation>(first, after)?).await?;
        Ok(connection(paged, Observation))
    }
    /// NEWS2 of the last `days` days, oldest first.
    async fn news2_trend(&self, ctx: &Context<'_>, #[graphql(default = 14)] days: i32) -> AppResult<Vec<News2Point>> {
        let (state, clinical) = self.clinical(ctx)?;
        let rows = resident_service::news2_trend(&state.db, &clinical, days, state.now).await?;
        Ok(rows
            .into_iter()
            .map(|point| News2Point {
                recorded_at: point.recorded_at,
                total: point.total,
                risk_level: point.risk.into(),
                complete: point.complete,
            })
            .collect())
    }
    async fn medications(
        &self,
        ctx: &Context<'_>,
        #[graphql(default = false)] include_stopped: bool,
    ) -> AppResult<Vec<Medication>> {
        let (state, clinical) = self.clinical(ctx)?;
        let today = state.today();
        let rows = resident_service::medications(&state.db, &clinical, include_stopped, today).await?;
        Ok(rows.into_iter().map(|m| Medication(m, today)).collect())
    }
    async fn active_medication_count(&self, ctx: &Context<'_>) -> AppResult<i32> {
        self.clinical(ctx)?;
        Ok(loader(ctx).load_one(ActiveMedicationCount(self.0.id)).await?.unwrap_or(0) as i32)
    }
    async fn polypharmacy(&self, ctx: &Context<'_>) -> AppResult<Polypharmacy> {
        self.clinical(ctx)?;
        let count = loader(ctx).load_one(ActiveMedicationCount(self.0.id)).await?.unwrap_or(0);
        Ok(resident_service::Polypharmacy::from_active_count(count).into())
    }
    /// 6+ active medications and no medication review in 12 months or since moving in.
    async fn medication_review_due(&self, ctx: &Context<'_>) -> AppResult<bool> {
        let (state, clinical) = self.clinical(ctx)?;
        let count = loader(ctx).load_one(ActiveMedicationCount(self.0.id)).await?.unwrap_or(0);
        resident_service::medication_review_due(&state.db, &clinical, self.0.moved_in_on, count, state.now).await
    }
    async fn medication_reviews(&self, ctx: &Context<'_>) -> AppResult<Vec<MedicationReview>> {
        let (state, clinical) = self.clinical(ctx)?;
        Ok(resident_service::medication_reviews(&state.db, &clinical)
            .await?
            .into_iter()
            .map(MedicationReview)
            .collect())
    }
    /// The resuscitation decision in force.
    async fn resuscitation(&self, ctx: &Context<'_>) -> AppResult<Option<ResuscitationDecision>> {
        let (state, clinical) = self.clinical(ctx)?;
        Ok(resident_service::resuscitation_history(&state.db, &clinical)
            .await?
            .into_iter()
            .next()
            .map(ResuscitationDecision))
    }
    async fn resuscitation_history(&self, ctx: &Context<'_>) -> AppResult<Vec<ResuscitationDecision>> {
        let (state, clinical) = self.clinical(ctx)?;
        Ok(resident_service::resuscitation_history(&state.db, &clinical)
            .await?
            .into_iter()
            .map(ResuscitationDecision)
            .collect())
    }
    /// The care plan in force: the newest AGREED version the viewer may read.
    async fn care_plan(&self, ctx: &Context<'_>) -> AppResult<Option<CarePlan>> {
        let (state, viewer) = authed(ctx)?;
        let plans = self.logged(ctx, resident_service::care_plans(&state.db, viewer, &self.0).await)?;
        Ok(plans.into_iter().find(|p| p.status == entities::enums::CarePlanStatus::Agreed).map(CarePlan))
    }
    /// Every version the viewer may read, newest first (relatives: agreed and shared ones only).
    async fn care_plans(&self, ctx: &Context<'_>) -> AppResult<Vec<CarePlan>> {
        let (state, viewer) = authed(ctx)?;
        let plans = self.logged(ctx, resident_service::care_plans(&state.db, viewer, &self.0).await)?;
        Ok(plans.into_iter().map(CarePlan).collect())
    }
    async fn relatives(&self, ctx: &Context<'_>) -> AppResult<Vec<RelativeLink>> {
        let (state, clinical) = self.clinical(ctx)?;
        let now = state.now;
        let rows = resident_service::relatives(&state.db, &clinical).await?;
        Ok(rows.into_iter().map(|(link, user)| RelativeLink { link, user, now }).collect())
    }
    async fn questions(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
    ) -> AppResult<Conn<Question>> {
        let (state, viewer) = authed(ctx)?;
        let paged = resident_service::questions(&state.db, viewer, &self.0, page::<Question>(first, after)?).await;
        Ok(connection(self.logged(ctx, paged)?, Question))
    }
    /// Who looked at or changed the record, newest first: for the centre's coordinator, ADMIN and
    /// the resident's relative.
    async fn access_log(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
    ) -> AppResult<Conn<AccessLogEntry>> {
        let (state, viewer) = authed(ctx)?;
        let paged = crate::services::access_log::for_resident(
            &state.db,
            viewer,
            &self.0,
            page::<AccessLogEntry>(first, after)?,
        )
        .await;
        Ok(connection(self.logged(ctx, paged)?, |(event, user)| AccessLogEntry { event, user }))
    }
    /// Number of OPEN questions about the resident that the viewer may see.
    async fn open_question_count(&self, ctx: &Context<'_>) -> AppResult<i32> {
        let (_, viewer) = authed(ctx)?;
        let allowed = access::can_count_open_questions(viewer, &self.0);
        self.logged(ctx, if allowed { Ok(()) } else { Err(AppError::NotFound) })?;
        Ok(loader(ctx).load_one(OpenQuestionCount(self.0.id)).await?.unwrap_or(0) as i32)
    }
}

/// One access to a resident's record.
pub struct AccessLogEntry {
    event: entities::audit_event::Model,
    user: Option<user::Model>,
}

#[Object]
impl AccessLogEntry {
    async fn at(&self) -> DateTime<Utc> {
        self.event.at
    }
    /// Who: name and role.
    async fn actor(&self) -> Option<User> {
        self.user.clone().map(User)
    }
    /// The role the person had then.
    async fn actor_role(&self) -> &str {
        &self.event.actor_role
    }
    /// READ or WRITE.
    async fn action(&self) -> &str {
        &self.event.action
    }
    /// ALLOWED, or DENIED for an attempt outside the person's access.
    async fn outcome(&self) -> &str {
        &self.event.outcome
    }
    /// The screen or action in the app (GraphQL operation name).
    async fn operation_name(&self) -> Option<&str> {
        self.event.operation_name.as_deref()
    }
}
