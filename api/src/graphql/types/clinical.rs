//! Medication, medication reviews and resuscitation decisions.

use super::{Doctor, load_doctor};
use crate::error::AppResult;
use crate::graphql::enums::*;
use crate::graphql::scalars::Date;
use crate::ids::{Kind, encode};
use crate::services::residents as resident_service;
use async_graphql::{Context, ID, Object};
use chrono::{DateTime, NaiveDate, Utc};
use entities::{medication, medication_review, resuscitation_decision};

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
