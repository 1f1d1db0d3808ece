//! Questions and their messages.

use super::{CareCentre, Doctor, Observation, Resident, User, load_doctor, load_user, loader, visible_resident};
use crate::error::{AppError, AppResult};
use crate::graphql::enums::*;
use crate::graphql::loaders::*;
use crate::graphql::{authed, state};
use crate::ids::{Kind, encode};
use async_graphql::{Context, ID, Object};
use chrono::{DateTime, Utc};
use entities::enums::VitalSign as StoredVitalSign;
use entities::{message, question};

pub struct Question(pub question::Model);

#[Object]
impl Question {
    // `pub(super)`: the `Node` interface in `types/mod.rs` calls it.
    pub(super) async fn id(&self) -> ID {
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
