//! GraphQL object types. Each wraps a stored row; nested fields go through the DataLoader and
//! apply the viewer's scope (DESIGN §4): a clinical field the viewer may not read is `NOT_FOUND`.

use super::connection::{Conn, connection, page};
use super::enums::*;
use super::loaders::*;
use super::scalars::Date;
use super::{authed, reader, state};
use crate::audit::Action;
use crate::auth::Viewer;
use crate::domain::deadlines::agenda_deadline;
use crate::error::{AppError, AppResult};
use crate::ids::{Kind, encode};
use crate::services::residents::{self as resident_service, Clinical};
use crate::services::{access, centres, meetings as meeting_service, terms};
use async_graphql::{ComplexObject, Context, ID, Interface, Object, SimpleObject};
use chrono::{DateTime, NaiveDate, Utc};
use entities::enums::VitalSign as StoredVitalSign;
use entities::{
    agenda_item, care_centre, care_plan, collaboration_agreement, medication, medication_review, meeting, message,
    observation, question, relative_link, resident, resuscitation_decision, time_entry, user,
};

fn loader<'a>(ctx: &Context<'a>) -> &'a Loaders {
    ctx.data_unchecked::<Loaders>()
}

async fn load_doctor(ctx: &Context<'_>, id: uuid::Uuid) -> AppResult<Option<Doctor>> {
    Ok(loader(ctx).load_one(DoctorById(id)).await?.map(Doctor))
}

async fn load_user(ctx: &Context<'_>, id: uuid::Uuid) -> AppResult<Option<User>> {
    Ok(loader(ctx).load_one(UserById(id)).await?.map(User))
}

/// Loads a resident by id if the viewer may see it (else `None`: e.g. a general question). The
/// resident's fields log the read.
async fn visible_resident(ctx: &Context<'_>, viewer: &Viewer, id: uuid::Uuid) -> AppResult<Option<Resident>> {
    let resident = loader(ctx).load_one(ResidentById(id)).await?;
    Ok(resident.filter(|r| access::can_see_resident(viewer, r)).map(Resident))
}

#[derive(Interface)]
#[graphql(field(name = "id", ty = "ID"))]
pub enum Node {
    CareCentre(CareCentre),
    Resident(Resident),
    Observation(Observation),
    Question(Question),
    Meeting(Meeting),
    CarePlan(CarePlan),
}

/// The signed-in user and what they reach.
pub struct ViewerInfo(pub Viewer);

#[Object(name = "Viewer")]
impl ViewerInfo {
    async fn user(&self, ctx: &Context<'_>) -> AppResult<User> {
        load_user(ctx, self.0.user_id).await?.ok_or(AppError::NotFound)
    }
    async fn role(&self) -> Role {
        self.0.role.into()
    }
    async fn display_name(&self) -> &str {
        &self.0.display_name
    }
    async fn email(&self) -> &str {
        &self.0.email
    }
    async fn locale(&self) -> &str {
        &self.0.locale
    }
    /// Centres the viewer works in or is attached to (relatives: their resident's centre).
    async fn care_centres(&self, ctx: &Context<'_>) -> AppResult<Vec<CareCentre>> {
        let state = state(ctx);
        Ok(centres::list(&state.db, &self.0).await?.into_iter().map(CareCentre).collect())
    }
    /// The doctor profile of a DOCTOR.
    async fn doctor(&self, ctx: &Context<'_>) -> AppResult<Option<Doctor>> {
        match self.0.doctor_id {
            Some(id) => load_doctor(ctx, id).await,
            None => Ok(None),
        }
    }
    /// A RELATIVE's residents (with current consent).
    async fn residents(&self, ctx: &Context<'_>) -> AppResult<Vec<Resident>> {
        let keys: Vec<ResidentById> = self.0.resident_ids.iter().copied().map(ResidentById).collect();
        let mut found: Vec<Resident> = loader(ctx).load_many(keys).await?.into_values().map(Resident).collect();
        found.sort_by(|a, b| a.0.full_name.cmp(&b.0.full_name));
        Ok(found)
    }
}

pub struct User(pub user::Model);

/// Another user as others see them: name and role only.
#[Object]
impl User {
    async fn id(&self) -> ID {
        encode(Kind::User, self.0.id)
    }
    async fn display_name(&self) -> &str {
        &self.0.display_name
    }
    async fn role(&self) -> Role {
        self.0.role.into()
    }
}

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
    async fn id(&self) -> ID {
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

#[derive(SimpleObject)]
pub struct FastResponseWindow {
    /// ISO weekday, 1 = Monday.
    pub weekday: i32,
    pub from: String,
    pub to: String,
    pub channel: String,
}

pub struct CollaborationAgreement(pub collaboration_agreement::Model);

#[Object]
impl CollaborationAgreement {
    async fn id(&self) -> ID {
        encode(Kind::Agreement, self.0.id)
    }
    async fn revision(&self) -> i32 {
        self.0.revision
    }
    async fn status(&self) -> AgreementStatus {
        self.0.status.into()
    }
    async fn doctor(&self, ctx: &Context<'_>) -> AppResult<Option<Doctor>> {
        load_doctor(ctx, self.0.doctor_id).await
    }
    async fn meeting_cadence(&self) -> MeetingCadence {
        self.0.meeting_cadence.into()
    }
    async fn agenda_deadline_hours(&self) -> i32 {
        self.0.agenda_deadline_hours
    }
    async fn routine_answer_working_days(&self) -> i32 {
        self.0.routine_answer_working_days
    }
    async fn urgent_answer_hours(&self) -> i32 {
        self.0.urgent_answer_hours
    }
    async fn fast_response_windows(&self) -> Vec<FastResponseWindow> {
        let windows = self.0.fast_response_windows.as_array().cloned().unwrap_or_default();
        windows
            .iter()
            .map(|w| FastResponseWindow {
                weekday: w["weekday"].as_i64().unwrap_or_default() as i32,
                from: w["from"].as_str().unwrap_or_default().into(),
                to: w["to"].as_str().unwrap_or_default().into(),
                channel: w["channel"].as_str().unwrap_or_default().into(),
            })
            .collect()
    }
    async fn hotline_usage(&self) -> &str {
        &self.0.hotline_usage
    }
    async fn required_vitals(&self) -> Vec<VitalSign> {
        serde_json::from_value::<Vec<StoredVitalSign>>(self.0.required_vitals.clone())
            .unwrap_or_default()
            .into_iter()
            .map(Into::into)
            .collect()
    }
    async fn vitals_max_age_hours(&self) -> i32 {
        self.0.vitals_max_age_hours
    }
    async fn relatives_contacted_by(&self) -> ContactParty {
        self.0.relatives_contacted_by.into()
    }
    async fn move_in_coordinated_by(&self) -> ContactParty {
        self.0.move_in_coordinated_by.into()
    }
    async fn resuscitation_documented_by(&self) -> ContactParty {
        self.0.resuscitation_documented_by.into()
    }
    async fn next_evaluation_on(&self) -> Option<Date> {
        self.0.next_evaluation_on.map(Date)
    }
    async fn coordinator_accepted_at(&self) -> Option<DateTime<Utc>> {
        self.0.coordinator_accepted_at
    }
    async fn doctor_accepted_at(&self) -> Option<DateTime<Utc>> {
        self.0.doctor_accepted_at
    }
    async fn agreed_at(&self) -> Option<DateTime<Utc>> {
        self.0.agreed_at
    }
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
    fn clinical<'a>(&'a self, ctx: &Context<'a>) -> AppResult<(&'a super::RequestState, Clinical<'a>)> {
        let (state, viewer) = authed(ctx)?;
        let clinical = Clinical::check(viewer, &self.0)?;
        viewer.read(self.0.id);
        Ok((state, clinical))
    }
}

#[Object]
impl Resident {
    async fn id(&self, ctx: &Context<'_>) -> ID {
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

#[derive(SimpleObject)]
pub struct News2Score {
    pub total: i32,
    pub risk_level: News2Risk,
    pub complete: bool,
    pub any_single_parameter_three: bool,
}

pub struct Observation(pub observation::Model);

#[Object]
impl Observation {
    async fn id(&self) -> ID {
        encode(Kind::Observation, self.0.id)
    }
    async fn resident(&self, ctx: &Context<'_>) -> AppResult<Option<Resident>> {
        let (_, viewer) = authed(ctx)?;
        visible_resident(ctx, viewer, self.0.resident_id).await
    }
    async fn recorded_at(&self) -> DateTime<Utc> {
        self.0.recorded_at
    }
    async fn received_at(&self) -> DateTime<Utc> {
        self.0.received_at
    }
    async fn recorded_by(&self, ctx: &Context<'_>) -> AppResult<Option<User>> {
        load_user(ctx, self.0.recorded_by).await
    }
    async fn respiration_rate(&self) -> Option<i32> {
        self.0.respiration_rate
    }
    async fn oxygen_saturation(&self) -> Option<i32> {
        self.0.oxygen_saturation
    }
    async fn on_supplemental_oxygen(&self) -> Option<bool> {
        self.0.on_supplemental_oxygen
    }
    async fn systolic_bp(&self) -> Option<i32> {
        self.0.systolic_bp
    }
    async fn diastolic_bp(&self) -> Option<i32> {
        self.0.diastolic_bp
    }
    async fn pulse(&self) -> Option<i32> {
        self.0.pulse
    }
    async fn consciousness(&self) -> Option<Consciousness> {
        self.0.consciousness.map(Into::into)
    }
    async fn temperature(&self) -> Option<f64> {
        self.0.temperature
    }
    async fn blood_glucose(&self) -> Option<f64> {
        self.0.blood_glucose
    }
    async fn weight_kg(&self) -> Option<f64> {
        self.0.weight_kg
    }
    async fn pain_score(&self) -> Option<i32> {
        self.0.pain_score
    }
    async fn note(&self) -> Option<&str> {
        self.0.note.as_deref()
    }
    async fn news2(&self) -> Option<News2Score> {
        Some(News2Score {
            total: self.0.news2_total,
            risk_level: self.0.news2_risk.into(),
            complete: self.0.news2_complete,
            any_single_parameter_three: self.0.news2_any_single_three,
        })
    }
    async fn entered_in_error(&self) -> bool {
        self.0.entered_in_error
    }
    async fn entered_in_error_reason(&self) -> Option<&str> {
        self.0.entered_in_error_reason.as_deref()
    }
}

pub struct Question(pub question::Model);

#[Object]
impl Question {
    async fn id(&self) -> ID {
        encode(Kind::Question, self.0.id)
    }
    async fn care_centre(&self, ctx: &Context<'_>) -> AppResult<CareCentre> {
        let centre = loader(ctx).load_one(CentreById(self.0.care_centre_id)).await?;
        centre.map(CareCentre).ok_or(AppError::NotFound)
    }
    /// The resident asked about; none for a general question.
    async fn resident(&self, ctx: &Context<'_>) -> AppResult<Option<Resident>> {
        let (_, viewer) = authed(ctx)?;
        match self.0.resident_id {
            Some(id) => visible_resident(ctx, viewer, id).await,
            None => Ok(None),
        }
    }
    async fn asked_by(&self, ctx: &Context<'_>) -> AppResult<Option<User>> {
        load_user(ctx, self.0.asked_by).await
    }
    async fn doctor(&self, ctx: &Context<'_>) -> AppResult<Option<Doctor>> {
        load_doctor(ctx, self.0.doctor_id).await
    }
    async fn subject(&self) -> &str {
        &self.0.subject
    }
    async fn body(&self) -> &str {
        &self.0.body
    }
    async fn category(&self) -> Option<&str> {
        self.0.category.as_deref()
    }
    async fn priority(&self) -> QuestionPriority {
        self.0.priority.into()
    }
    async fn status(&self) -> QuestionStatus {
        self.0.status.into()
    }
    async fn asked_at(&self) -> DateTime<Utc> {
        self.0.asked_at
    }
    async fn due_at(&self) -> DateTime<Utc> {
        self.0.due_at
    }
    async fn answered_at(&self) -> Option<DateTime<Utc>> {
        self.0.answered_at
    }
    async fn closed_at(&self) -> Option<DateTime<Utc>> {
        self.0.closed_at
    }
    /// Still OPEN after `dueAt`.
    async fn overdue(&self, ctx: &Context<'_>) -> bool {
        crate::services::questions::is_overdue(&self.0, state(ctx).now)
    }
    /// Why the nurse asked an URGENT question without the required vitals.
    async fn override_reason(&self) -> Option<&str> {
        self.0.override_reason.as_deref()
    }
    async fn missing_vitals(&self) -> Vec<VitalSign> {
        serde_json::from_value::<Vec<StoredVitalSign>>(self.0.missing_vitals.clone())
            .unwrap_or_default()
            .into_iter()
            .map(Into::into)
            .collect()
    }
    async fn messages(&self, ctx: &Context<'_>) -> AppResult<Vec<Message>> {
        Ok(loader(ctx).load_one(MessagesOf(self.0.id)).await?.unwrap_or_default().into_iter().map(Message).collect())
    }
    /// Observations attached to the question: the addressed doctor sees them even when not the GP.
    async fn attached_observations(&self, ctx: &Context<'_>) -> AppResult<Vec<Observation>> {
        let rows = loader(ctx).load_one(AttachedObservationsOf(self.0.id)).await?.unwrap_or_default();
        Ok(rows.into_iter().map(Observation).collect())
    }
}

pub struct Message(pub message::Model);

#[Object]
impl Message {
    async fn id(&self) -> ID {
        encode(Kind::Message, self.0.id)
    }
    async fn author(&self, ctx: &Context<'_>) -> AppResult<Option<User>> {
        load_user(ctx, self.0.author_id).await
    }
    async fn body(&self) -> &str {
        &self.0.body
    }
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
}

pub struct Meeting(pub meeting::Model);

#[Object]
impl Meeting {
    async fn id(&self) -> ID {
        encode(Kind::Meeting, self.0.id)
    }
    async fn care_centre(&self, ctx: &Context<'_>) -> AppResult<CareCentre> {
        let centre = loader(ctx).load_one(CentreById(self.0.care_centre_id)).await?;
        centre.map(CareCentre).ok_or(AppError::NotFound)
    }
    async fn doctor(&self, ctx: &Context<'_>) -> AppResult<Option<Doctor>> {
        load_doctor(ctx, self.0.doctor_id).await
    }
    async fn kind(&self) -> MeetingKind {
        self.0.kind.into()
    }
    async fn starts_at(&self) -> DateTime<Utc> {
        self.0.starts_at
    }
    async fn duration_minutes(&self) -> i32 {
        self.0.duration_minutes
    }
    async fn location(&self) -> &str {
        &self.0.location
    }
    async fn status(&self) -> MeetingStatus {
        self.0.status.into()
    }
    /// Start minus the agreement's agenda deadline hours (48 without an agreement).
    async fn agenda_deadline(&self, ctx: &Context<'_>) -> AppResult<DateTime<Utc>> {
        let key = TermsOf { centre: self.0.care_centre_id, doctor: self.0.doctor_id };
        let terms = loader(ctx).load_one(key).await?.unwrap_or_default();
        Ok(agenda_deadline(self.0.starts_at, terms.agenda_deadline_hours))
    }
    async fn agenda_sent_at(&self) -> Option<DateTime<Utc>> {
        self.0.agenda_sent_at
    }
    async fn minutes(&self) -> Option<&str> {
        self.0.minutes.as_deref()
    }
    async fn attendees(&self) -> Vec<String> {
        serde_json::from_value(self.0.attendees.clone()).unwrap_or_default()
    }
    async fn held_at(&self) -> Option<DateTime<Utc>> {
        self.0.held_at
    }
    async fn cancelled_at(&self) -> Option<DateTime<Utc>> {
        self.0.cancelled_at
    }
    /// Optimistic-concurrency version, sent back as `expectedVersion` with the minutes.
    async fn version(&self) -> i32 {
        self.0.version
    }
    async fn agenda_items(&self, ctx: &Context<'_>) -> AppResult<Vec<AgendaItem>> {
        let rows = loader(ctx).load_one(AgendaItemsOf(self.0.id)).await?.unwrap_or_default();
        Ok(rows.into_iter().map(AgendaItem).collect())
    }
}

pub struct AgendaItem(pub agenda_item::Model);

impl AgendaItem {
    /// The text of an item about a resident is the resident's data: logged as a read of them.
    fn read(&self, ctx: &Context<'_>) {
        if let (Some(resident), Some(viewer)) = (self.0.resident_id, reader(ctx)) {
            viewer.read(resident);
        }
    }
}

#[Object]
impl AgendaItem {
    async fn id(&self) -> ID {
        encode(Kind::AgendaItem, self.0.id)
    }
    async fn meeting(&self, ctx: &Context<'_>) -> AppResult<Meeting> {
        let (state, viewer) = authed(ctx)?;
        Ok(Meeting(meeting_service::get(&state.db, viewer, self.0.meeting_id).await?))
    }
    async fn topic(&self) -> AgendaTopic {
        self.0.topic.into()
    }
    async fn title(&self, ctx: &Context<'_>) -> &str {
        self.read(ctx);
        &self.0.title
    }
    async fn description(&self, ctx: &Context<'_>) -> &str {
        self.read(ctx);
        &self.0.description
    }
    /// The resident the item is about, when the viewer may see them.
    async fn resident(&self, ctx: &Context<'_>) -> AppResult<Option<Resident>> {
        let (_, viewer) = authed(ctx)?;
        match self.0.resident_id {
            Some(id) => visible_resident(ctx, viewer, id).await,
            None => Ok(None),
        }
    }
    async fn proposed_by(&self, ctx: &Context<'_>) -> AppResult<Option<User>> {
        load_user(ctx, self.0.proposed_by).await
    }
    /// The question moved onto the agenda, when the viewer may see it.
    async fn source_question(&self, ctx: &Context<'_>) -> AppResult<Option<Question>> {
        let (_, viewer) = authed(ctx)?;
        let Some(id) = self.0.source_question_id else {
            return Ok(None);
        };
        let question = loader(ctx).load_one(QuestionById(id)).await?.filter(|q| access::can_see_question(viewer, q));
        // A question about a resident is the resident's data, as through `Query.question`.
        question.as_ref().and_then(|q| q.resident_id).inspect(|r| viewer.read(*r));
        Ok(question.map(Question))
    }
    async fn added_after_deadline(&self) -> bool {
        self.0.added_after_deadline
    }
    async fn outcome(&self, ctx: &Context<'_>) -> Option<&str> {
        self.read(ctx);
        self.0.outcome.as_deref()
    }
    async fn position(&self) -> i32 {
        self.0.position
    }
}

#[derive(SimpleObject, serde::Deserialize)]
pub struct CarePlanSection {
    pub heading: String,
    pub text: String,
}

pub struct CarePlan(pub care_plan::Model);

#[Object]
impl CarePlan {
    async fn id(&self) -> ID {
        encode(Kind::CarePlan, self.0.id)
    }
    async fn revision(&self) -> i32 {
        self.0.revision
    }
    async fn version(&self) -> i32 {
        self.0.version
    }
    async fn status(&self) -> CarePlanStatus {
        self.0.status.into()
    }
    async fn goals(&self) -> &str {
        &self.0.goals
    }
    async fn sections(&self) -> Vec<CarePlanSection> {
        serde_json::from_value(self.0.sections.clone()).unwrap_or_default()
    }
    async fn agreed_at(&self) -> Option<DateTime<Utc>> {
        self.0.agreed_at
    }
    /// With whom it was agreed (the resident and/or a named relative).
    async fn agreed_with(&self) -> Option<&str> {
        self.0.agreed_with.as_deref()
    }
    async fn shared_with_relatives(&self) -> bool {
        self.0.shared_with_relatives
    }
    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }
    /// Whether the viewing relative has confirmed reading this version.
    async fn acknowledged_by_me(&self, ctx: &Context<'_>) -> AppResult<bool> {
        let (state, viewer) = authed(ctx)?;
        let mine = crate::services::plans::acknowledgements(&state.db, viewer, self.0.id).await?;
        Ok(mine.iter().any(|(a, _)| a.relative_user_id == viewer.user_id))
    }
    /// Relatives who confirmed reading this version (a relative sees only their own).
    async fn acknowledgements(&self, ctx: &Context<'_>) -> AppResult<Vec<CarePlanAcknowledgement>> {
        let (state, viewer) = authed(ctx)?;
        let rows = crate::services::plans::acknowledgements(&state.db, viewer, self.0.id).await?;
        Ok(rows
            .into_iter()
            .map(|(a, user)| CarePlanAcknowledgement { acknowledged_at: a.acknowledged_at, relative: user.map(User) })
            .collect())
    }
}

#[derive(SimpleObject)]
pub struct CarePlanAcknowledgement {
    pub relative: Option<User>,
    pub acknowledged_at: DateTime<Utc>,
}

pub struct Medication(pub medication::Model, pub NaiveDate);

#[Object]
impl Medication {
    async fn id(&self) -> ID {
        encode(Kind::Medication, self.0.id)
    }
    async fn name(&self) -> &str {
        &self.0.name
    }
    async fn strength(&self) -> &str {
        &self.0.strength
    }
    async fn dosage(&self) -> &str {
        &self.0.dosage
    }
    /// As needed (PN).
    async fn prn(&self) -> bool {
        self.0.prn
    }
    async fn dose_dispensed(&self) -> bool {
        self.0.dose_dispensed
    }
    async fn indication(&self) -> Option<&str> {
        self.0.indication.as_deref()
    }
    async fn started_on(&self) -> Date {
        Date(self.0.started_on)
    }
    async fn stopped_on(&self) -> Option<Date> {
        self.0.stopped_on.map(Date)
    }
    async fn active(&self) -> bool {
        resident_service::is_active(&self.0, self.1)
    }
}

pub struct MedicationReview(pub medication_review::Model);

#[Object]
impl MedicationReview {
    async fn id(&self) -> ID {
        encode(Kind::MedicationReview, self.0.id)
    }
    async fn reviewed_at(&self) -> DateTime<Utc> {
        self.0.reviewed_at
    }
    async fn doctor(&self, ctx: &Context<'_>) -> AppResult<Option<Doctor>> {
        load_doctor(ctx, self.0.doctor_id).await
    }
    async fn active_count_before(&self) -> i32 {
        self.0.active_count_before
    }
    async fn active_count_after(&self) -> i32 {
        self.0.active_count_after
    }
    async fn notes(&self) -> &str {
        &self.0.notes
    }
}

pub struct ResuscitationDecision(pub resuscitation_decision::Model);

#[Object]
impl ResuscitationDecision {
    async fn id(&self) -> ID {
        encode(Kind::ResuscitationDecision, self.0.id)
    }
    async fn decision(&self) -> ResuscitationChoice {
        self.0.decision.into()
    }
    async fn note(&self) -> Option<&str> {
        self.0.note.as_deref()
    }
    async fn decided_by(&self, ctx: &Context<'_>) -> AppResult<Option<Doctor>> {
        load_doctor(ctx, self.0.decided_by).await
    }
    async fn decided_at(&self) -> DateTime<Utc> {
        self.0.decided_at
    }
}

pub struct RelativeLink {
    link: relative_link::Model,
    user: Option<user::Model>,
    now: DateTime<Utc>,
}

#[Object]
impl RelativeLink {
    async fn id(&self) -> ID {
        encode(Kind::RelativeLink, self.link.id)
    }
    async fn relative(&self) -> Option<User> {
        self.user.clone().map(User)
    }
    async fn relation(&self) -> &str {
        &self.link.relation
    }
    async fn consent_recorded_at(&self) -> DateTime<Utc> {
        self.link.consent_recorded_at
    }
    async fn consent_expires_at(&self) -> DateTime<Utc> {
        self.link.consent_expires_at
    }
    async fn revoked_at(&self) -> Option<DateTime<Utc>> {
        self.link.revoked_at
    }
    /// Neither revoked nor past its consent.
    async fn active(&self) -> bool {
        self.link.revoked_at.is_none() && self.link.consent_expires_at > self.now
    }
}

pub struct TimeEntry(pub time_entry::Model);

#[Object]
impl TimeEntry {
    async fn id(&self) -> ID {
        encode(Kind::TimeEntry, self.0.id)
    }
    async fn kind(&self) -> TimeEntryKind {
        self.0.kind.into()
    }
    async fn work_date(&self) -> Date {
        Date(self.0.work_date)
    }
    async fn minutes(&self) -> i32 {
        self.0.minutes
    }
    async fn note(&self) -> Option<&str> {
        self.0.note.as_deref()
    }
    async fn doctor(&self, ctx: &Context<'_>) -> AppResult<Option<Doctor>> {
        load_doctor(ctx, self.0.doctor_id).await
    }
}

pub struct AdvisoryTimeReport(pub crate::services::reports::AdvisoryTimeReport);

#[Object]
impl AdvisoryTimeReport {
    async fn care_centre(&self) -> CareCentre {
        CareCentre(self.0.centre.clone())
    }
    async fn month(&self) -> &str {
        &self.0.month
    }
    /// Weekly allotment × weeks in the month.
    async fn allotted_advisory_minutes(&self) -> i64 {
        self.0.allotted_advisory_minutes
    }
    async fn advisory_minutes(&self) -> i64 {
        self.0.advisory_minutes
    }
    async fn individual_minutes(&self) -> i64 {
        self.0.individual_minutes
    }
    async fn entries(&self) -> Vec<TimeEntry> {
        self.0.entries.iter().cloned().map(TimeEntry).collect()
    }
}

#[derive(SimpleObject)]
#[graphql(complex)]
pub struct AuthPayload {
    pub access_token: String,
    pub refresh_token: String,
    /// When the access token expires; refresh before.
    pub expires_at: DateTime<Utc>,
    #[graphql(skip)]
    pub viewer: Viewer,
}

#[ComplexObject]
impl AuthPayload {
    async fn viewer(&self) -> ViewerInfo {
        ViewerInfo(self.viewer.clone())
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
