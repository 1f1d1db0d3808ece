//! Meetings and their agenda items.

use super::{CareCentre, Doctor, Question, Resident, User, load_doctor, load_user, loader, visible_resident};
use crate::domain::deadlines::agenda_deadline;
use crate::error::{AppError, AppResult};
use crate::graphql::enums::*;
use crate::graphql::loaders::*;
use crate::graphql::{authed, reader};
use crate::ids::{Kind, encode};
use crate::services::{access, meetings as meeting_service};
use async_graphql::{Context, ID, Object};
use chrono::{DateTime, Utc};
use entities::{agenda_item, meeting};

pub struct Meeting(pub meeting::Model);

#[Object]
impl Meeting {
    // `pub(super)`: the `Node` interface in `types/mod.rs` calls it.
    pub(super) async fn id(&self) -> ID {
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
