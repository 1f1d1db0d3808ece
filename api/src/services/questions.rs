//! Questions from staff to the doctor, and the doctor's queue (DESIGN §5).

use super::residents::{self, paginate};
use super::{Page, Paged, access, meetings, optional_text, require_role, required_text, terms};
use crate::audit::{self, Action};
use crate::auth::Viewer;
use crate::domain::deadlines::{after_agenda_deadline, answer_due_at};
use crate::domain::vitals::{self, Measured};
use crate::error::{AppError, AppResult};
use crate::ids::new_id;
use chrono::{DateTime, Utc};
use entities::enums::{AgendaTopic, MeetingKind, MeetingStatus, QuestionPriority, QuestionStatus, Role, VitalSign};
use entities::{
    agenda_item, doctor_attachment, meeting, message, observation, question, question_observation, resident,
};
use sea_orm::ActiveValue::Set;
use sea_orm::sea_query::{Expr, Order};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, IntoActiveModel, QueryFilter,
    QueryOrder, QuerySelect, SqlErr,
};
use sha2::{Digest, Sha256};
use uuid::Uuid;

/// A question the viewer may see, looked up to `action` (read or write) it: reading a question
/// about a resident is a read of the resident, a write logs its own row; a refusal is `DENIED`
/// with that action.
pub async fn get(db: &impl ConnectionTrait, viewer: &Viewer, id: Uuid, action: Action) -> AppResult<question::Model> {
    match question::Entity::find_by_id(id).filter(access::question_scope(viewer)).one(db).await? {
        Some(question) => {
            if action == Action::Read {
                question.resident_id.inspect(|r| viewer.read(*r));
            }
            Ok(question)
        }
        None => {
            let resident = question::Entity::find_by_id(id).one(db).await?.and_then(|q| q.resident_id);
            resident.inspect(|r| viewer.denied(*r, action));
            Err(AppError::NotFound)
        }
    }
}

/// Still open after its deadline.
pub fn is_overdue(question: &question::Model, now: DateTime<Utc>) -> bool {
    question.status == QuestionStatus::Open && question.due_at < now
}

/// The viewing doctor's open questions: overdue first, then URGENT before ROUTINE, then by due time.
pub async fn doctor_queue(
    db: &impl ConnectionTrait,
    viewer: &Viewer,
    now: DateTime<Utc>,
    page: Page,
) -> AppResult<Paged<question::Model>> {
    if viewer.role != Role::Doctor {
        return Err(AppError::Forbidden);
    }
    let overdue_first: Expr = Expr::case(question::Column::DueAt.lt(now), 0).finally(1).into();
    let urgent_first: Expr = Expr::case(question::Column::Priority.eq(QuestionPriority::Urgent), 0).finally(1).into();
    let query = question::Entity::find()
        .filter(access::question_scope(viewer))
        .filter(question::Column::Status.eq(QuestionStatus::Open))
        .order_by(overdue_first, Order::Asc)
        .order_by(urgent_first, Order::Asc)
        .order_by_asc(question::Column::DueAt)
        .order_by_asc(question::Column::Id);
    let paged = paginate(db, query, page).await?;
    paged.rows.iter().filter_map(|q| q.resident_id).for_each(|r| viewer.read(r));
    Ok(paged)
}

/// A care centre's questions the viewer may see (staff: all of the centre's, general ones
/// included; a doctor: those addressed to them), newest first, optionally of some statuses.
/// Each resident on the page counts as read.
pub async fn of_centre(
    db: &impl ConnectionTrait,
    viewer: &Viewer,
    centre: Uuid,
    statuses: Vec<QuestionStatus>,
    page: Page,
) -> AppResult<Paged<question::Model>> {
    let mut query = question::Entity::find()
        .filter(question::Column::CareCentreId.eq(centre))
        .filter(access::question_scope(viewer))
        .order_by_desc(question::Column::AskedAt)
        .order_by_desc(question::Column::Id);
    if !statuses.is_empty() {
        query = query.filter(question::Column::Status.is_in(statuses));
    }
    let paged = paginate(db, query, page).await?;
    paged.rows.iter().filter_map(|q| q.resident_id).for_each(|r| viewer.read(r));
    Ok(paged)
}

/// A question as asked on the device.
#[derive(Debug, Clone, Default)]
pub struct AskInput {
    pub client_mutation_id: Uuid,
    pub care_centre_id: Uuid,
    pub resident_id: Option<Uuid>,
    pub doctor_id: Option<Uuid>,
    pub subject: String,
    pub body: String,
    pub priority: Option<QuestionPriority>,
    pub category: Option<String>,
    pub observation_ids: Vec<Uuid>,
    pub override_reason: Option<String>,
}

pub struct Asked {
    pub question: question::Model,
    pub missing_vitals: Vec<VitalSign>,
    /// False for a replay of an earlier write.
    pub created: bool,
}

/// The vitals an observation holds, for the required-vitals rule.
fn measured(o: &observation::Model) -> Measured {
    let held = [
        (VitalSign::RespirationRate, o.respiration_rate.is_some()),
        (VitalSign::OxygenSaturation, o.oxygen_saturation.is_some()),
        (VitalSign::BloodPressure, o.systolic_bp.is_some() && o.diastolic_bp.is_some()),
        (VitalSign::Pulse, o.pulse.is_some()),
        (VitalSign::Consciousness, o.consciousness.is_some()),
        (VitalSign::Temperature, o.temperature.is_some()),
    ];
    Measured {
        recorded_at: o.recorded_at,
        vitals: held.into_iter().filter(|(_, held)| *held).map(|(vital, _)| vital).collect(),
    }
}

fn fingerprint(input: &AskInput) -> String {
    let mut observations = input.observation_ids.clone();
    observations.sort();
    let text = format!(
        "{}|{:?}|{:?}|{}|{}|{:?}|{:?}|{:?}|{:?}",
        input.care_centre_id,
        input.resident_id,
        input.doctor_id,
        input.subject.trim(),
        input.body.trim(),
        input.priority,
        input.category.as_deref().map(str::trim),
        observations,
        input.override_reason.as_deref().map(str::trim),
    );
    Sha256::digest(text.as_bytes()).iter().map(|b| format!("{b:02x}")).collect()
}

async fn earlier_question(
    db: &impl ConnectionTrait,
    viewer: &Viewer,
    input: &AskInput,
    hash: &str,
) -> AppResult<Option<question::Model>> {
    match question::Entity::find()
        .filter(question::Column::AskedBy.eq(viewer.user_id))
        .filter(question::Column::ClientMutationId.eq(input.client_mutation_id))
        .one(db)
        .await?
    {
        Some(q) if q.payload_hash == hash => Ok(Some(q)),
        Some(_) => Err(AppError::Conflict("clientMutationId was already used for another question".into())),
        None => Ok(None),
    }
}

/// The doctor a question goes to: the one asked for (attached to the centre), else the resident's
/// GP when attached, else the centre's longest-attached doctor.
async fn addressed_doctor(
    db: &impl ConnectionTrait,
    centre: Uuid,
    wanted: Option<Uuid>,
    resident: Option<&resident::Model>,
) -> AppResult<Uuid> {
    let attached: Vec<Uuid> = doctor_attachment::Entity::find()
        .select_only()
        .column(doctor_attachment::Column::DoctorId)
        .filter(doctor_attachment::Column::CareCentreId.eq(centre))
        .filter(doctor_attachment::Column::EndedAt.is_null())
        .order_by_asc(doctor_attachment::Column::CreatedAt)
        .into_tuple()
        .all(db)
        .await?;
    if let Some(wanted) = wanted {
        return attached
            .contains(&wanted)
            .then_some(wanted)
            .ok_or_else(|| AppError::validation("doctorId", "The doctor is not attached to the care centre"));
    }
    let gp = resident.and_then(|r| r.gp_doctor_id).filter(|gp| attached.contains(gp));
    gp.or(attached.first().copied())
        .ok_or_else(|| AppError::validation("careCentreId", "The care centre has no attached doctor"))
}

/// Asks the doctor (DESIGN §5): URGENT questions about a resident need a recent observation with
/// every required vital (attached, or the newest one found) unless an override reason is given.
pub async fn ask(db: &DatabaseConnection, viewer: &Viewer, input: AskInput, now: DateTime<Utc>) -> AppResult<Asked> {
    require_role(viewer, &[Role::Nurse, Role::Coordinator])?;
    if !viewer.serves_centre(input.care_centre_id) {
        return Err(AppError::NotFound);
    }
    let hash = fingerprint(&input);
    if let Some(question) = earlier_question(db, viewer, &input, &hash).await? {
        let missing_vitals = serde_json::from_value(question.missing_vitals.clone()).unwrap_or_default();
        return Ok(Asked { question, missing_vitals, created: false });
    }
    let subject = required_text("subject", &input.subject, 200)?;
    let body = required_text("body", &input.body, 5000)?;
    let category = optional_text("category", input.category.as_deref(), 100)?;
    let override_reason = optional_text("overrideReason", input.override_reason.as_deref(), 1000)?;
    let priority = input.priority.unwrap_or(QuestionPriority::Routine);
    let resident = match input.resident_id {
        Some(id) => {
            let resident = residents::get(db, viewer, id, Action::Write).await?;
            if resident.care_centre_id != input.care_centre_id {
                return Err(AppError::NotFound);
            }
            Some(resident)
        }
        None => None,
    };
    let doctor = addressed_doctor(db, input.care_centre_id, input.doctor_id, resident.as_ref()).await?;
    let terms = terms::in_force(db, input.care_centre_id, Some(doctor)).await?;

    let mut attached = Vec::new();
    let mut missing = Vec::new();
    if let Some(resident) = &resident {
        if !input.observation_ids.is_empty() {
            attached = observation::Entity::find()
                .filter(observation::Column::Id.is_in(input.observation_ids.clone()))
                .filter(observation::Column::ResidentId.eq(resident.id))
                .filter(observation::Column::EnteredInError.eq(false))
                .all(db)
                .await?;
            if attached.len() != input.observation_ids.iter().collect::<std::collections::HashSet<_>>().len() {
                return Err(AppError::validation("observationIds", "Attach valid observations of the resident"));
            }
        }
        let fresh_after = vitals::fresh_after(terms.vitals_max_age_hours, now);
        let mut candidates: Vec<observation::Model> = attached.clone();
        if candidates.is_empty()
            && let Some(latest) = observation::Entity::find()
                .filter(observation::Column::ResidentId.eq(resident.id))
                .filter(observation::Column::EnteredInError.eq(false))
                .filter(observation::Column::RecordedAt.gte(fresh_after))
                .order_by_desc(observation::Column::RecordedAt)
                .one(db)
                .await?
        {
            candidates.push(latest);
        }
        let taken: Vec<Measured> = candidates.iter().map(measured).collect();
        let check = vitals::check(&terms.required_vitals, &taken, terms.vitals_max_age_hours, now);
        if attached.is_empty()
            && let Some(found) = check.judged_by
        {
            attached.push(candidates[found].clone());
        }
        if check.refuses(priority, override_reason.is_some()) {
            return Err(AppError::MissingVitals(check.missing));
        }
        missing = check.missing;
    } else if !input.observation_ids.is_empty() {
        return Err(AppError::validation(
            "observationIds",
            "A general question has no resident to attach observations of",
        ));
    }

    let id = new_id();
    let row = question::ActiveModel {
        id: Set(id),
        care_centre_id: Set(input.care_centre_id),
        resident_id: Set(resident.as_ref().map(|r| r.id)),
        asked_by: Set(viewer.user_id),
        doctor_id: Set(doctor),
        subject: Set(subject),
        body: Set(body.clone()),
        category: Set(category),
        priority: Set(priority),
        status: Set(QuestionStatus::Open),
        asked_at: Set(now),
        due_at: Set(answer_due_at(now, priority, terms.urgent_answer_hours, terms.routine_answer_working_days)),
        answered_at: Set(None),
        closed_at: Set(None),
        override_reason: Set(if missing.is_empty() { None } else { override_reason }),
        missing_vitals: Set(serde_json::to_value(&missing).map_err(AppError::internal)?),
        client_mutation_id: Set(input.client_mutation_id),
        payload_hash: Set(hash.clone()),
        version: Set(1),
        created_at: Set(now),
        updated_at: Set(now),
    };
    let txn = audit::begin(db).await?;
    let question = match row.insert(&*txn).await {
        Ok(question) => question,
        Err(err) if matches!(err.sql_err(), Some(SqlErr::UniqueConstraintViolation(_))) => {
            drop(txn);
            let question = earlier_question(db, viewer, &input, &hash).await?.ok_or(AppError::internal(err))?;
            let missing_vitals = serde_json::from_value(question.missing_vitals.clone()).unwrap_or_default();
            return Ok(Asked { question, missing_vitals, created: false });
        }
        Err(err) => return Err(err.into()),
    };
    append_message(&*txn, id, viewer.user_id, body, now).await?;
    for observation in &attached {
        question_observation::ActiveModel {
            id: Set(new_id()),
            question_id: Set(id),
            observation_id: Set(observation.id),
            created_at: Set(now),
            updated_at: Set(now),
        }
        .insert(&*txn)
        .await?;
    }
    txn.commit_write(viewer, question.resident_id, now).await?;
    Ok(Asked { question, missing_vitals: missing, created: true })
}

async fn append_message(
    db: &impl ConnectionTrait,
    question: Uuid,
    author: Uuid,
    body: String,
    now: DateTime<Utc>,
) -> AppResult<()> {
    message::ActiveModel {
        id: Set(new_id()),
        question_id: Set(question),
        author_id: Set(author),
        body: Set(body),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(db)
    .await?;
    Ok(())
}

/// Moves a question to `status`, bumping its version, in `db`.
async fn set_status(
    db: &impl ConnectionTrait,
    question: question::Model,
    status: QuestionStatus,
    now: DateTime<Utc>,
) -> AppResult<question::Model> {
    let version = question.version;
    let answered_at = question.answered_at;
    let closed_at = question.closed_at;
    let mut row = question.into_active_model();
    row.status = Set(status);
    if status == QuestionStatus::Answered || (status == QuestionStatus::Closed && answered_at.is_none()) {
        row.answered_at = Set(answered_at.or(Some(now)));
    }
    row.closed_at = Set(if status == QuestionStatus::Closed { closed_at.or(Some(now)) } else { None });
    row.version = Set(version + 1);
    row.updated_at = Set(now);
    Ok(row.update(db).await?)
}

/// Adds a message to the thread: staff of the centre or the addressed doctor. A staff reply to an
/// ANSWERED question reopens it, so it returns to the doctor's queue.
pub async fn reply(
    db: &DatabaseConnection,
    viewer: &Viewer,
    id: Uuid,
    body: &str,
    now: DateTime<Utc>,
) -> AppResult<question::Model> {
    let body = required_text("body", body, 5000)?;
    let question = get(db, viewer, id, Action::Write).await?;
    if question.status == QuestionStatus::Closed {
        return Err(AppError::validation("questionId", "The question is closed; ask a new one"));
    }
    let txn = audit::begin(db).await?;
    append_message(&*txn, question.id, viewer.user_id, body, now).await?;
    let question = if viewer.is_staff() && question.status == QuestionStatus::Answered {
        set_status(&*txn, question, QuestionStatus::Open, now).await?
    } else {
        question
    };
    txn.commit_write(viewer, question.resident_id, now).await?;
    Ok(question)
}

/// The addressed doctor answers (status ANSWERED, or CLOSED when `close`).
pub async fn answer(
    db: &DatabaseConnection,
    viewer: &Viewer,
    id: Uuid,
    body: &str,
    close: bool,
    now: DateTime<Utc>,
) -> AppResult<question::Model> {
    require_role(viewer, &[Role::Doctor])?;
    let body = required_text("body", body, 5000)?;
    let question = get(db, viewer, id, Action::Write).await?;
    if question.status == QuestionStatus::Closed {
        return Err(AppError::validation("questionId", "The question is closed"));
    }
    let txn = audit::begin(db).await?;
    append_message(&*txn, question.id, viewer.user_id, body, now).await?;
    let status = if close { QuestionStatus::Closed } else { QuestionStatus::Answered };
    let question = set_status(&*txn, question, status, now).await?;
    txn.commit_write(viewer, question.resident_id, now).await?;
    Ok(question)
}

/// Closes a question: staff of the centre or the addressed doctor. Closing twice is harmless.
pub async fn close(
    db: &DatabaseConnection,
    viewer: &Viewer,
    id: Uuid,
    now: DateTime<Utc>,
) -> AppResult<question::Model> {
    let question = get(db, viewer, id, Action::Write).await?;
    if question.status == QuestionStatus::Closed {
        return Ok(question);
    }
    let txn = audit::begin(db).await?;
    let question = set_status(&*txn, question, QuestionStatus::Closed, now).await?;
    txn.commit_write(viewer, question.resident_id, now).await?;
    Ok(question)
}

/// The addressed doctor moves a question onto a meeting's agenda: the given meeting of the same
/// centre, or the centre's next upcoming one. Items added after the agenda deadline are flagged.
pub async fn move_to_agenda(
    db: &DatabaseConnection,
    viewer: &Viewer,
    id: Uuid,
    meeting_id: Option<Uuid>,
    now: DateTime<Utc>,
) -> AppResult<(question::Model, agenda_item::Model)> {
    require_role(viewer, &[Role::Doctor])?;
    let question = get(db, viewer, id, Action::Write).await?;
    if !access::is_addressed_doctor(viewer, &question) {
        return Err(AppError::NotFound);
    }
    if question.status == QuestionStatus::Closed || question.status == QuestionStatus::OnAgenda {
        return Err(AppError::validation("questionId", "The question is closed or already on an agenda"));
    }
    let upcoming = meeting::Entity::find()
        .filter(meeting::Column::CareCentreId.eq(question.care_centre_id))
        .filter(meeting::Column::Status.is_in([MeetingStatus::Planned, MeetingStatus::AgendaSent]))
        .filter(meeting::Column::Kind.ne(MeetingKind::CareConference))
        .filter(meeting::Column::StartsAt.gt(now));
    let meeting = match meeting_id {
        Some(m) => upcoming.filter(meeting::Column::Id.eq(m)).one(db).await?.ok_or_else(|| {
            AppError::validation("meetingId", "Choose an upcoming meeting of the question's care centre")
        })?,
        None => upcoming
            .order_by_asc(meeting::Column::StartsAt)
            .one(db)
            .await?
            .ok_or_else(|| AppError::validation("meetingId", "The care centre has no upcoming meeting"))?,
    };
    let late = after_agenda_deadline(meeting.status, meetings::deadline_of(db, &meeting).await?, now);
    let position: Option<i32> = agenda_item::Entity::find()
        .select_only()
        .column_as(agenda_item::Column::Position.max(), "max")
        .filter(agenda_item::Column::MeetingId.eq(meeting.id))
        .into_tuple()
        .one(db)
        .await?
        .flatten();
    let txn = audit::begin(db).await?;
    let item = agenda_item::ActiveModel {
        id: Set(new_id()),
        meeting_id: Set(meeting.id),
        topic: Set(if question.resident_id.is_some() { AgendaTopic::ResidentCase } else { AgendaTopic::Other }),
        title: Set(question.subject.clone()),
        description: Set(question.body.clone()),
        resident_id: Set(question.resident_id),
        proposed_by: Set(viewer.user_id),
        source_question_id: Set(Some(question.id)),
        added_after_deadline: Set(late),
        outcome: Set(None),
        position: Set(position.unwrap_or(0) + 1),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(&*txn)
    .await?;
    let question = set_status(&*txn, question, QuestionStatus::OnAgenda, now).await?;
    txn.commit_write(viewer, question.resident_id, now).await?;
    Ok((question, item))
}
