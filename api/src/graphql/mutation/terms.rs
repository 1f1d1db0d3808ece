//! Collaboration agreements: propose and accept.

use crate::domain::terms::Terms as Defaults;
use crate::error::AppResult;
use crate::graphql::authed;
use crate::graphql::enums::{ContactParty, MeetingCadence, VitalSign};
use crate::graphql::scalars::Date;
use crate::graphql::types::CollaborationAgreement;
use crate::ids::{self, Kind};
use crate::services::terms::{self, AgreementInput as Terms, FastWindow};
use async_graphql::{Context, ID, InputObject, Object};

#[derive(InputObject)]
pub struct FastResponseWindowInput {
    /// ISO weekday, 1 = Monday.
    pub weekday: i32,
    /// "08:00".
    pub from: String,
    pub to: String,
    /// PHONE or MESSAGE.
    pub channel: String,
}

#[derive(InputObject)]
pub struct AgreementInput {
    pub care_centre_id: ID,
    /// Required when the coordinator proposes; a doctor proposes for themself.
    pub doctor_id: Option<ID>,
    #[graphql(default_with = "MeetingCadence::Weekly")]
    pub meeting_cadence: MeetingCadence,
    #[graphql(default_with = "Defaults::default().agenda_deadline_hours")]
    pub agenda_deadline_hours: i32,
    #[graphql(default_with = "Defaults::default().routine_answer_working_days")]
    pub routine_answer_working_days: i32,
    #[graphql(default_with = "Defaults::default().urgent_answer_hours")]
    pub urgent_answer_hours: i32,
    #[graphql(default)]
    pub fast_response_windows: Vec<FastResponseWindowInput>,
    #[graphql(default)]
    pub hotline_usage: String,
    /// Default: all six.
    pub required_vitals: Option<Vec<VitalSign>>,
    #[graphql(default_with = "Defaults::default().vitals_max_age_hours")]
    pub vitals_max_age_hours: i32,
    #[graphql(default_with = "ContactParty::Staff")]
    pub relatives_contacted_by: ContactParty,
    #[graphql(default_with = "ContactParty::Staff")]
    pub move_in_coordinated_by: ContactParty,
    #[graphql(default_with = "ContactParty::Doctor")]
    pub resuscitation_documented_by: ContactParty,
    pub next_evaluation_on: Option<Date>,
}

#[derive(Default)]
pub struct TermsMutations;

#[Object]
impl TermsMutations {
    /// COORDINATOR or attached DOCTOR proposes new terms (accepted by their own side).
    async fn propose_agreement(&self, ctx: &Context<'_>, input: AgreementInput) -> AppResult<CollaborationAgreement> {
        let (state, viewer) = authed(ctx)?;
        let terms = Terms {
            care_centre_id: ids::decode(&input.care_centre_id, Kind::CareCentre, "careCentreId")?,
            doctor_id: input.doctor_id.map(|d| ids::decode(&d, Kind::Doctor, "doctorId")).transpose()?,
            meeting_cadence: input.meeting_cadence.into(),
            agenda_deadline_hours: input.agenda_deadline_hours,
            routine_answer_working_days: input.routine_answer_working_days,
            urgent_answer_hours: input.urgent_answer_hours,
            fast_response_windows: input
                .fast_response_windows
                .into_iter()
                .map(|w| FastWindow { weekday: w.weekday, from: w.from, to: w.to, channel: w.channel })
                .collect(),
            hotline_usage: input.hotline_usage,
            required_vitals: input
                .required_vitals
                .map_or_else(|| Defaults::default().required_vitals, |v| v.into_iter().map(Into::into).collect()),
            vitals_max_age_hours: input.vitals_max_age_hours,
            relatives_contacted_by: input.relatives_contacted_by.into(),
            move_in_coordinated_by: input.move_in_coordinated_by.into(),
            resuscitation_documented_by: input.resuscitation_documented_by.into(),
            next_evaluation_on: input.next_evaluation_on.map(|d| d.0),
        };
        Ok(CollaborationAgreement(terms::propose(&state.db, viewer, terms, state.now).await?))
    }

    /// The other side accepts; AGREED once both have, replacing the agreement in force.
    async fn accept_agreement(&self, ctx: &Context<'_>, agreement_id: ID) -> AppResult<CollaborationAgreement> {
        let (state, viewer) = authed(ctx)?;
        let id = ids::decode(&agreement_id, Kind::Agreement, "agreementId")?;
        Ok(CollaborationAgreement(terms::accept(&state.db, viewer, id, state.now).await?))
    }
}
