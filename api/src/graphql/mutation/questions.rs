//! Questions to the doctor and their thread.

use crate::error::{AppError, AppResult};
use crate::events::{Event, QuestionEventKind};
use crate::graphql::enums::{QuestionPriority, VitalSign};
use crate::graphql::types::{AgendaItem, Question};
use crate::graphql::{RequestState, authed};
use crate::ids::{self, Kind};
use crate::services::questions::{self as service, AskInput};
use crate::services::residents::{Target, refused_write};
use async_graphql::{Context, ID, InputObject, Object, SimpleObject};
use entities::question;

#[derive(InputObject)]
pub struct AskQuestionInput {
    /// UUID made on the device; a replay with the same id returns the first result.
    pub client_mutation_id: ID,
    pub care_centre_id: ID,
    /// None for a general question.
    pub resident_id: Option<ID>,
    /// Default: the resident's GP if attached, else the centre's doctor.
    pub doctor_id: Option<ID>,
    pub subject: String,
    pub body: String,
    pub priority: QuestionPriority,
    pub category: Option<String>,
    pub observation_ids: Option<Vec<ID>>,
    /// Why an URGENT question goes without the required vitals; the doctor sees it.
    pub override_reason: Option<String>,
}

#[derive(SimpleObject)]
pub struct AskQuestionPayload {
    pub question: Question,
    /// Required vitals the attached (or newest) observation lacks; prompt the nurse to measure.
    pub missing_vitals: Vec<VitalSign>,
}

async fn announce(state: &RequestState, question: &question::Model, kind: QuestionEventKind) {
    let event = Event::QuestionChanged {
        question: question.id,
        centre: question.care_centre_id,
        doctor: question.doctor_id,
        kind,
    };
    state.events.publish(event).await;
}

#[derive(Default)]
pub struct QuestionMutations;

#[Object]
impl QuestionMutations {
    /// Asks the doctor. URGENT questions about a resident need a recent observation with the
    /// agreement's required vitals, or an override reason.
    async fn ask_question(&self, ctx: &Context<'_>, input: AskQuestionInput) -> AppResult<AskQuestionPayload> {
        let (state, viewer) = authed(ctx)?;
        let observation_ids = input
            .observation_ids
            .unwrap_or_default()
            .iter()
            .map(|id| ids::decode(id, Kind::Observation, "observationIds"))
            .collect::<AppResult<Vec<_>>>()
            .map_err(|_| AppError::validation("observationIds", "Attach valid observations of the resident"))?;
        let input = AskInput {
            client_mutation_id: uuid::Uuid::parse_str(input.client_mutation_id.as_str())
                .map_err(|_| AppError::validation("clientMutationId", "clientMutationId must be a UUID"))?,
            care_centre_id: ids::decode(&input.care_centre_id, Kind::CareCentre, "careCentreId")?,
            resident_id: input.resident_id.map(|id| ids::decode(&id, Kind::Resident, "residentId")).transpose()?,
            doctor_id: input.doctor_id.map(|id| ids::decode(&id, Kind::Doctor, "doctorId")).transpose()?,
            subject: input.subject,
            body: input.body,
            priority: Some(input.priority.into()),
            category: input.category,
            observation_ids,
            override_reason: input.override_reason,
        };
        let target = input.resident_id.map(Target::Resident);
        let asked =
            refused_write(&state.db, viewer, target, service::ask(&state.db, viewer, input, state.now).await).await?;
        if asked.created {
            announce(state, &asked.question, QuestionEventKind::Asked).await;
        }
        Ok(AskQuestionPayload {
            question: Question(asked.question),
            missing_vitals: asked.missing_vitals.into_iter().map(Into::into).collect(),
        })
    }

    /// Adds a message to the thread (staff of the centre or the addressed doctor).
    async fn reply_to_question(&self, ctx: &Context<'_>, question_id: ID, body: String) -> AppResult<Question> {
        let (state, viewer) = authed(ctx)?;
        let id = ids::decode(&question_id, Kind::Question, "questionId")?;
        let replied = service::reply(&state.db, viewer, id, &body, state.now).await;
        let question = refused_write(&state.db, viewer, Some(Target::Question(id)), replied).await?;
        announce(state, &question, QuestionEventKind::Replied).await;
        Ok(Question(question))
    }

    /// The addressed doctor answers; `close` also closes the question.
    async fn answer_question(
        &self,
        ctx: &Context<'_>,
        question_id: ID,
        body: String,
        close: Option<bool>,
    ) -> AppResult<Question> {
        let (state, viewer) = authed(ctx)?;
        let id = ids::decode(&question_id, Kind::Question, "questionId")?;
        let answered = service::answer(&state.db, viewer, id, &body, close.unwrap_or(false), state.now).await;
        let question = refused_write(&state.db, viewer, Some(Target::Question(id)), answered).await?;
        announce(state, &question, QuestionEventKind::Answered).await;
        Ok(Question(question))
    }

    async fn close_question(&self, ctx: &Context<'_>, question_id: ID) -> AppResult<Question> {
        let (state, viewer) = authed(ctx)?;
        let id = ids::decode(&question_id, Kind::Question, "questionId")?;
        let closed = service::close(&state.db, viewer, id, state.now).await;
        let question = refused_write(&state.db, viewer, Some(Target::Question(id)), closed).await?;
        announce(state, &question, QuestionEventKind::Closed).await;
        Ok(Question(question))
    }

    /// The addressed doctor moves the question to a meeting's agenda (default: the centre's next meeting).
    async fn move_question_to_agenda(
        &self,
        ctx: &Context<'_>,
        question_id: ID,
        meeting_id: Option<ID>,
    ) -> AppResult<AgendaItem> {
        let (state, viewer) = authed(ctx)?;
        let id = ids::decode(&question_id, Kind::Question, "questionId")?;
        let meeting = meeting_id.map(|m| ids::decode(&m, Kind::Meeting, "meetingId")).transpose()?;
        let moved = service::move_to_agenda(&state.db, viewer, id, meeting, state.now).await;
        let (question, item) = refused_write(&state.db, viewer, Some(Target::Question(id)), moved).await?;
        announce(state, &question, QuestionEventKind::MovedToAgenda).await;
        Ok(AgendaItem(item))
    }
}
