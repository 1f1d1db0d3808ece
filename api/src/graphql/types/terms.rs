//! The collaboration agreement: the terms a centre and its doctor agreed.

use super::{Doctor, load_doctor};
use crate::error::AppResult;
use crate::graphql::enums::*;
use crate::graphql::scalars::Date;
use crate::ids::{Kind, encode};
use async_graphql::{Context, ID, Object, SimpleObject};
use chrono::{DateTime, Utc};
use entities::collaboration_agreement;
use entities::enums::VitalSign as StoredVitalSign;

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
