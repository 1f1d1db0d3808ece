//! Meetings, their agendas and the doctor's time (DESIGN §3–§5).
//!
//! Decisions where the design is silent:
//! - **Who**: COORDINATOR of the centre and DOCTORs attached to it schedule, send agendas, record
//!   minutes and cancel; NURSEs of the centre propose agenda items before the deadline. Other roles
//!   are `FORBIDDEN`; a centre or meeting outside the viewer's scope is `NOT_FOUND`.
//! - **Agenda deadline**: start − the agenda deadline hours of the terms in force between the
//!   meeting's centre and doctor ([`deadline_of`]; 48 without an agreement). "Before" is strictly
//!   before: at the deadline the agenda is sent ([`after_agenda_deadline`]). A meeting scheduled
//!   inside its own deadline window is sent at the next automatic run, and its items are flagged
//!   `addedAfterDeadline`.
//! - **Automatic send**: [`send_due_agendas`] runs periodically (`PLEJELINK_AGENDA_SEND_SECONDS`, default 30) in every instance ([`spawn_agenda_sender`]);
//!   each meeting moves PLANNED → AGENDA_SENT through one conditional `UPDATE … WHERE status = 'PLANNED'`,
//!   so exactly one run (or one `sendAgenda`) wins and publishes the event. `agendaSentAt` is the moment
//!   it was actually sent. Sending an already sent agenda again is harmless and publishes nothing.
//! - **Agenda items** bump the meeting's `version`: the agenda is part of the meeting, so minutes
//!   written against an older version (with `expectedVersion`) are a `CONFLICT`.
//! - **Minutes** may be recorded from the meeting's day (Copenhagen) on. Recording them again
//!   *updates in place* (corrections are common): minutes, attendees and the given outcomes are
//!   replaced, `heldAt` stays, and no second time entry is made — the automatic entry is written only
//!   in the transaction that moves the meeting to HELD, guarded by its version, so it exists once.
//!   Outcomes not mentioned keep their text; an empty outcome clears it.
//! - **Time**: the automatic entry is for the meeting's doctor and centre, its duration, on its
//!   Copenhagen date. `logTime` entries (DOCTOR, own attached centres) are separate, also when they
//!   name a meeting (e.g. preparation). Work dates may not be in the future nor over a year back.
//! - **Cancel** is for PLANNED and AGENDA_SENT meetings; cancelling twice is harmless. Questions
//!   moved onto a cancelled meeting's agenda stay ON_AGENDA (not yet handled).

use super::residents::{self, paginate};
use super::{Page, Paged, access, check_version, optional_text, require_role, required_text, terms};
use crate::audit::{self, Action};
use crate::auth::Viewer;
use crate::clock::Clock;
use crate::clock::copenhagen_date;
use crate::domain::deadlines::{after_agenda_deadline, agenda_deadline};
use crate::error::{AppError, AppResult};
use crate::events::{Event, Events, MeetingEventKind};
use crate::ids::new_id;
use chrono::{DateTime, Duration, NaiveDate, Utc};
use entities::enums::{MeetingKind, MeetingStatus, Role, TimeEntryKind};
use entities::{
    agenda_item, doctor_attachment, meeting, meeting_invitation, relative_link, resident, time_entry, user,
};
use sea_orm::ActiveValue::Set;
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect,
};
use std::collections::HashSet;
use uuid::Uuid;

pub async fn get(db: &impl ConnectionTrait, viewer: &Viewer, id: Uuid) -> AppResult<meeting::Model> {
    meeting::Entity::find_by_id(id).filter(access::meeting_scope(viewer)).one(db).await?.ok_or(AppError::NotFound)
}

/// [`get`] to read the meeting: a refusal is a refused read of each resident its agenda is about
/// (the items' text is theirs; see `AgendaItem` in [`access::RESIDENT_DATA`]).
pub async fn read(db: &impl ConnectionTrait, viewer: &Viewer, id: Uuid) -> AppResult<meeting::Model> {
    let meeting = get(db, viewer, id).await;
    if let Err(AppError::NotFound) = meeting {
        let residents: Vec<Option<Uuid>> = agenda_item::Entity::find()
            .select_only()
            .column(agenda_item::Column::ResidentId)
            .filter(agenda_item::Column::MeetingId.eq(id))
            .into_tuple()
            .all(db)
            .await?;
        residents.into_iter().flatten().for_each(|r| viewer.denied(r, Action::Read));
    }
    meeting
}

/// Meetings starting in `[from, to)`, earliest first, optionally of one centre.
pub async fn list(
    db: &impl ConnectionTrait,
    viewer: &Viewer,
    centre: Option<Uuid>,
    from: Option<DateTime<Utc>>,
    to: Option<DateTime<Utc>>,
    page: Page,
) -> AppResult<Paged<meeting::Model>> {
    let mut query = meeting::Entity::find().filter(access::meeting_scope(viewer));
    if let Some(centre) = centre {
        if !viewer.serves_centre(centre) && viewer.role != Role::Relative {
            return Err(AppError::NotFound);
        }
        query = query.filter(meeting::Column::CareCentreId.eq(centre));
    }
    if let Some(from) = super::time_bound("from", from)? {
        query = query.filter(meeting::Column::StartsAt.gte(from));
    }
    if let Some(to) = super::time_bound("to", to)? {
        query = query.filter(meeting::Column::StartsAt.lt(to));
    }
    let query = query.order_by_asc(meeting::Column::StartsAt).order_by_asc(meeting::Column::Id);
    paginate(db, query, page).await
}

/// The last moment to put items on `meeting`'s agenda (DESIGN §5), by the terms in force between
/// its centre and its doctor.
pub async fn deadline_of(db: &impl ConnectionTrait, meeting: &meeting::Model) -> AppResult<DateTime<Utc>> {
    let terms = terms::in_force(db, meeting.care_centre_id, Some(meeting.doctor_id)).await?;
    Ok(agenda_deadline(meeting.starts_at, terms.agenda_deadline_hours))
}

/// The time entry that holding a meeting of `kind` records (DESIGN §5): general advisory for
/// advisory, expectation-alignment and evaluation meetings, individual treatment for a resident
/// review, none for a care conference.
pub fn time_entry_kind(kind: MeetingKind) -> Option<TimeEntryKind> {
    match kind {
        MeetingKind::Advisory | MeetingKind::ExpectationAlignment | MeetingKind::Evaluation => {
            Some(TimeEntryKind::GeneralAdvisory)
        }
        MeetingKind::ResidentReview => Some(TimeEntryKind::IndividualTreatment),
        MeetingKind::CareConference => None,
    }
}

/// A meeting as the coordinator or doctor schedules it.
#[derive(Debug, Clone)]
pub struct ScheduleInput {
    pub care_centre_id: Uuid,
    pub kind: MeetingKind,
    pub starts_at: DateTime<Utc>,
    pub duration_minutes: i32,
    pub location: String,
    /// Default: the viewing doctor, else the centre's longest-attached doctor.
    pub doctor_id: Option<Uuid>,
    /// Relatives' user ids; care conferences only.
    pub invited_relative_ids: Vec<Uuid>,
}

/// The meeting's doctor: the one asked for (attached to the centre), else the viewing doctor, else
/// the centre's longest-attached doctor.
async fn meeting_doctor(
    db: &impl ConnectionTrait,
    viewer: &Viewer,
    centre: Uuid,
    wanted: Option<Uuid>,
) -> AppResult<Uuid> {
    let attached: Vec<Uuid> = doctor_attachment::Entity::find()
        .select_only()
        .column(doctor_attachment::Column::DoctorId)
        .filter(doctor_attachment::Column::CareCentreId.eq(centre))
        .filter(doctor_attachment::Column::EndedAt.is_null())
        .order_by_asc(doctor_attachment::Column::CreatedAt)
        .order_by_asc(doctor_attachment::Column::Id)
        .into_tuple()
        .all(db)
        .await?;
    match wanted.or(viewer.doctor_id) {
        Some(doctor) if attached.contains(&doctor) => Ok(doctor),
        Some(_) => Err(AppError::validation("doctorId", "The doctor is not attached to the care centre")),
        None => attached
            .first()
            .copied()
            .ok_or_else(|| AppError::validation("careCentreId", "The care centre has no attached doctor")),
    }
}

/// Checks that every id is a RELATIVE with a current link (not revoked, consent not expired) to a
/// resident of `centre`; returns them without duplicates, in the given order.
async fn invitable_relatives(
    db: &impl ConnectionTrait,
    centre: Uuid,
    wanted: &[Uuid],
    now: DateTime<Utc>,
) -> AppResult<Vec<Uuid>> {
    let mut seen = HashSet::new();
    let wanted: Vec<Uuid> = wanted.iter().copied().filter(|id| seen.insert(*id)).collect();
    if wanted.is_empty() {
        return Ok(wanted);
    }
    let linked: HashSet<Uuid> = relative_link::Entity::find()
        .select_only()
        .column(relative_link::Column::RelativeUserId)
        .inner_join(resident::Entity)
        .inner_join(user::Entity)
        .filter(relative_link::Column::RelativeUserId.is_in(wanted.clone()))
        .filter(relative_link::Column::RevokedAt.is_null())
        .filter(relative_link::Column::ConsentExpiresAt.gt(now))
        .filter(resident::Column::CareCentreId.eq(centre))
        .filter(user::Column::Role.eq(Role::Relative))
        .filter(user::Column::Active.eq(true))
        .into_tuple::<Uuid>()
        .all(db)
        .await?
        .into_iter()
        .collect();
    if wanted.iter().all(|id| linked.contains(id)) {
        Ok(wanted)
    } else {
        Err(AppError::validation(
            "invitedRelativeIds",
            "Invite only relatives with consent who are linked to a resident of the care centre",
        ))
    }
}

/// Schedules a meeting (status PLANNED) and, for a care conference, invites the relatives.
pub async fn schedule(
    db: &DatabaseConnection,
    viewer: &Viewer,
    input: ScheduleInput,
    now: DateTime<Utc>,
) -> AppResult<meeting::Model> {
    require_role(viewer, &[Role::Coordinator, Role::Doctor])?;
    if !viewer.serves_centre(input.care_centre_id) {
        return Err(AppError::NotFound);
    }
    if input.starts_at <= now {
        return Err(AppError::validation("startsAt", "startsAt must be in the future"));
    }
    if input.starts_at > now + Duration::days(731) {
        return Err(AppError::validation("startsAt", "startsAt must be within two years"));
    }
    if !(5..=480).contains(&input.duration_minutes) {
        return Err(AppError::validation("durationMinutes", "durationMinutes must be between 5 and 480"));
    }
    let location = required_text("location", &input.location, 200)?;
    let doctor = meeting_doctor(db, viewer, input.care_centre_id, input.doctor_id).await?;
    let invited = match input.kind {
        MeetingKind::CareConference => {
            invitable_relatives(db, input.care_centre_id, &input.invited_relative_ids, now).await?
        }
        _ if !input.invited_relative_ids.is_empty() => {
            return Err(AppError::validation("invitedRelativeIds", "Only care conferences have invited relatives"));
        }
        _ => Vec::new(),
    };
    let txn = audit::begin(db).await?;
    let meeting = meeting::ActiveModel {
        id: Set(new_id()),
        care_centre_id: Set(input.care_centre_id),
        doctor_id: Set(doctor),
        kind: Set(input.kind),
        starts_at: Set(input.starts_at),
        duration_minutes: Set(input.duration_minutes),
        location: Set(location),
        status: Set(MeetingStatus::Planned),
        agenda_sent_at: Set(None),
        minutes: Set(None),
        attendees: Set(serde_json::json!([])),
        held_at: Set(None),
        cancelled_at: Set(None),
        version: Set(1),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(&*txn)
    .await?;
    for relative in invited {
        meeting_invitation::ActiveModel {
            id: Set(new_id()),
            meeting_id: Set(meeting.id),
            relative_user_id: Set(relative),
            created_at: Set(now),
            updated_at: Set(now),
        }
        .insert(&*txn)
        .await?;
    }
    txn.commit().await?;
    Ok(meeting)
}

/// An agenda item as proposed.
#[derive(Debug, Clone)]
pub struct ProposeInput {
    pub meeting_id: Uuid,
    pub topic: entities::enums::AgendaTopic,
    pub title: String,
    pub description: Option<String>,
    pub resident_id: Option<Uuid>,
}

/// Whether the viewer may add to `meeting`'s agenda now: never to a held or cancelled meeting;
/// nurses only before the deadline and while the agenda is not sent.
fn check_agenda_open(
    viewer: &Viewer,
    meeting: &meeting::Model,
    deadline: DateTime<Utc>,
    now: DateTime<Utc>,
) -> AppResult<()> {
    if matches!(meeting.status, MeetingStatus::Held | MeetingStatus::Cancelled) {
        return Err(AppError::validation("meetingId", "The meeting was held or cancelled; its agenda is closed"));
    }
    if viewer.role == Role::Nurse && after_agenda_deadline(meeting.status, deadline, now) {
        return Err(AppError::validation(
            "meetingId",
            "The agenda deadline passed; ask the coordinator or the doctor to add the item",
        ));
    }
    Ok(())
}

/// Proposes an agenda item (DESIGN §5 "Agenda deadline"): staff and the doctor before the deadline;
/// after it (or once the agenda is sent) only the coordinator and the doctor, flagged
/// `added_after_deadline`. The item goes last.
pub async fn propose_item(
    db: &DatabaseConnection,
    viewer: &Viewer,
    input: ProposeInput,
    now: DateTime<Utc>,
) -> AppResult<agenda_item::Model> {
    require_role(viewer, &[Role::Nurse, Role::Coordinator, Role::Doctor])?;
    let meeting = get(db, viewer, input.meeting_id).await?;
    let title = required_text("title", &input.title, 200)?;
    let description = optional_text("description", input.description.as_deref(), 5000)?.unwrap_or_default();
    if let Some(resident) = input.resident_id {
        let resident = residents::get(db, viewer, resident, Action::Write).await?;
        if resident.care_centre_id != meeting.care_centre_id {
            return Err(AppError::validation("residentId", "The resident does not live at the meeting's care centre"));
        }
    }
    let deadline = deadline_of(db, &meeting).await?;
    check_agenda_open(viewer, &meeting, deadline, now)?;
    let open = if viewer.role == Role::Nurse {
        vec![MeetingStatus::Planned]
    } else {
        vec![MeetingStatus::Planned, MeetingStatus::AgendaSent]
    };
    // The first statement writes, so concurrent proposals (and a concurrent send or cancel) queue
    // behind each other: the status is re-checked and positions do not collide.
    let txn = audit::begin(db).await?;
    let bumped = meeting::Entity::update_many()
        .col_expr(meeting::Column::Version, Expr::col(meeting::Column::Version).add(1))
        .col_expr(meeting::Column::UpdatedAt, Expr::value(now))
        .filter(meeting::Column::Id.eq(meeting.id))
        .filter(meeting::Column::Status.is_in(open))
        .exec(&*txn)
        .await?;
    if bumped.rows_affected == 0 {
        txn.rollback().await?;
        let fresh = get(db, viewer, meeting.id).await?;
        check_agenda_open(viewer, &fresh, deadline, now)?;
        return Err(AppError::Conflict("The meeting changed meanwhile; try again".into()));
    }
    let fresh = meeting::Entity::find_by_id(meeting.id).one(&*txn).await?.ok_or(AppError::NotFound)?;
    let late = after_agenda_deadline(fresh.status, deadline, now);
    let last: Option<i32> = agenda_item::Entity::find()
        .select_only()
        .column_as(agenda_item::Column::Position.max(), "max")
        .filter(agenda_item::Column::MeetingId.eq(meeting.id))
        .into_tuple()
        .one(&*txn)
        .await?
        .flatten();
    let item = agenda_item::ActiveModel {
        id: Set(new_id()),
        meeting_id: Set(meeting.id),
        topic: Set(input.topic),
        title: Set(title),
        description: Set(description),
        resident_id: Set(input.resident_id),
        proposed_by: Set(viewer.user_id),
        source_question_id: Set(None),
        added_after_deadline: Set(late),
        outcome: Set(None),
        position: Set(last.unwrap_or(0) + 1),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(&*txn)
    .await?;
    txn.commit_write(viewer, item.resident_id, now).await?;
    Ok(item)
}

/// PLANNED → AGENDA_SENT in one conditional statement; true when this call made the change.
/// Taken under the write lock like every other meeting write, so a concurrent recording of
/// minutes never sees the version move under it.
async fn mark_agenda_sent(db: &DatabaseConnection, id: Uuid, now: DateTime<Utc>) -> AppResult<bool> {
    let txn = audit::begin(db).await?;
    let result = meeting::Entity::update_many()
        .col_expr(meeting::Column::Status, Expr::value(MeetingStatus::AgendaSent))
        .col_expr(meeting::Column::AgendaSentAt, Expr::value(Some(now)))
        .col_expr(meeting::Column::UpdatedAt, Expr::value(now))
        .col_expr(meeting::Column::Version, Expr::col(meeting::Column::Version).add(1))
        .filter(meeting::Column::Id.eq(id))
        .filter(meeting::Column::Status.eq(MeetingStatus::Planned))
        .exec(&*txn)
        .await?;
    txn.commit().await?;
    Ok(result.rows_affected == 1)
}

/// A write and whether it changed anything (only changes are announced).
pub struct Outcome<T> {
    pub value: T,
    pub changed: bool,
}

/// Sends the agenda now (COORDINATOR or DOCTOR). Sending a sent agenda again changes nothing.
pub async fn send_agenda(
    db: &DatabaseConnection,
    viewer: &Viewer,
    id: Uuid,
    now: DateTime<Utc>,
) -> AppResult<Outcome<meeting::Model>> {
    require_role(viewer, &[Role::Coordinator, Role::Doctor])?;
    let meeting = get(db, viewer, id).await?;
    let changed = match meeting.status {
        MeetingStatus::Planned => mark_agenda_sent(db, meeting.id, now).await?,
        MeetingStatus::AgendaSent => false,
        MeetingStatus::Held | MeetingStatus::Cancelled => {
            return Err(AppError::validation("meetingId", "The meeting was held or cancelled"));
        }
    };
    let meeting = get(db, viewer, id).await?;
    if meeting.status != MeetingStatus::AgendaSent {
        return Err(AppError::validation("meetingId", "The meeting was held or cancelled"));
    }
    Ok(Outcome { value: meeting, changed })
}

/// Sends every PLANNED agenda whose deadline has passed at `now` (DESIGN §5: "after it the agenda
/// is sent … also when no one asked") and announces each. Safe to run in several instances at
/// once: each meeting changes, and is announced, exactly once. Returns how many this call sent.
pub async fn send_due_agendas(db: &DatabaseConnection, events: &Events, now: DateTime<Utc>) -> Result<usize, AppError> {
    // No agreement closes an agenda earlier than this before the meeting.
    let horizon = now + Duration::hours(terms::MAX_AGENDA_DEADLINE_HOURS.into());
    let candidates = meeting::Entity::find()
        .filter(meeting::Column::Status.eq(MeetingStatus::Planned))
        .filter(meeting::Column::StartsAt.lte(horizon))
        .order_by_asc(meeting::Column::StartsAt)
        .all(db)
        .await?;
    if candidates.is_empty() {
        return Ok(0);
    }
    let centres: HashSet<Uuid> = candidates.iter().map(|m| m.care_centre_id).collect();
    let in_force = terms::in_force_by_doctor(db, centres).await?;
    let mut sent = 0;
    for meeting in candidates {
        let terms = in_force.get(&(meeting.care_centre_id, meeting.doctor_id)).cloned().unwrap_or_default();
        if agenda_deadline(meeting.starts_at, terms.agenda_deadline_hours) > now {
            continue;
        }
        if mark_agenda_sent(db, meeting.id, now).await? {
            sent += 1;
            let event = Event::MeetingChanged {
                meeting: meeting.id,
                centre: meeting.care_centre_id,
                kind: MeetingEventKind::AgendaSent,
            };
            events.publish(event).await;
        }
    }
    Ok(sent)
}

/// Runs [`send_due_agendas`] every `period` with the application's clock, from start
/// (so agendas that fell due while no instance ran go out at once).
pub fn spawn_agenda_sender(db: DatabaseConnection, events: Events, clock: Clock, period: std::time::Duration) {
    tokio::spawn(async move {
        let mut ticks = tokio::time::interval(period);
        ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            ticks.tick().await;
            match send_due_agendas(&db, &events, clock.now()).await {
                Ok(0) => {}
                Ok(sent) => tracing::info!(sent, "agendas sent at their deadline"),
                Err(err) => tracing::warn!(error = ?err, "sending due agendas failed"),
            }
        }
    });
}

/// Minutes as the coordinator or doctor records them.
#[derive(Debug, Clone, Default)]
pub struct MinutesInput {
    pub meeting_id: Uuid,
    pub minutes: String,
    pub attendees: Vec<String>,
    /// Agenda item and its outcome; an empty outcome clears it.
    pub outcomes: Vec<(Uuid, String)>,
    pub expected_version: Option<i32>,
}

/// Records (or corrects) the minutes; the meeting becomes HELD. The first time, the time entry of
/// DESIGN §5 is written in the same transaction; corrections never write a second one.
pub async fn record_minutes(
    db: &DatabaseConnection,
    viewer: &Viewer,
    input: MinutesInput,
    now: DateTime<Utc>,
) -> AppResult<meeting::Model> {
    require_role(viewer, &[Role::Coordinator, Role::Doctor])?;
    let meeting = get(db, viewer, input.meeting_id).await?;
    if let Some(expected) = input.expected_version {
        check_version(expected, meeting.version)?;
    }
    if meeting.status == MeetingStatus::Cancelled {
        return Err(AppError::validation("meetingId", "A cancelled meeting has no minutes"));
    }
    if copenhagen_date(now) < copenhagen_date(meeting.starts_at) {
        return Err(AppError::validation("meetingId", "Minutes can be recorded from the day of the meeting"));
    }
    let minutes = required_text("minutes", &input.minutes, 20_000)?;
    if input.attendees.len() > 100 {
        return Err(AppError::validation("attendees", "At most 100 attendees"));
    }
    let attendees =
        input.attendees.iter().map(|a| required_text("attendees", a, 200)).collect::<AppResult<Vec<String>>>()?;
    let items: HashSet<Uuid> = agenda_item::Entity::find()
        .select_only()
        .column(agenda_item::Column::Id)
        .filter(agenda_item::Column::MeetingId.eq(meeting.id))
        .into_tuple::<Uuid>()
        .all(db)
        .await?
        .into_iter()
        .collect();
    let mut outcomes = Vec::with_capacity(input.outcomes.len());
    let mut seen = HashSet::new();
    for (item, text) in &input.outcomes {
        if !items.contains(item) {
            return Err(AppError::validation(
                "outcomes",
                "An outcome names an item that is not on this meeting's agenda",
            ));
        }
        if !seen.insert(*item) {
            return Err(AppError::validation("outcomes", "An agenda item has more than one outcome"));
        }
        outcomes.push((*item, optional_text("outcomes", Some(text), 5000)?));
    }
    let txn = audit::begin(db).await?;
    // Read again under the write lock: the background sender may have sent the agenda (a version
    // bump) since; that is no conflict for a client that did not name a version.
    let meeting = meeting::Entity::find_by_id(meeting.id).one(&*txn).await?.ok_or(AppError::NotFound)?;
    if let Some(expected) = input.expected_version {
        check_version(expected, meeting.version)?;
    }
    let first_time = meeting.status != MeetingStatus::Held;
    let mut update = meeting::Entity::update_many()
        .col_expr(meeting::Column::Status, Expr::value(MeetingStatus::Held))
        .col_expr(meeting::Column::Minutes, Expr::value(Some(minutes)))
        .col_expr(meeting::Column::Attendees, Expr::value(serde_json::json!(attendees)))
        .col_expr(meeting::Column::UpdatedAt, Expr::value(now))
        .col_expr(meeting::Column::Version, Expr::col(meeting::Column::Version).add(1));
    if first_time {
        update = update.col_expr(meeting::Column::HeldAt, Expr::value(Some(now)));
    }
    // Guarded by the version read under the lock: of two concurrent recordings only one goes
    // through (on PostgreSQL too, across instances), so only one moves the meeting to HELD and
    // writes the time entry.
    let updated = update
        .filter(meeting::Column::Id.eq(meeting.id))
        .filter(meeting::Column::Version.eq(meeting.version))
        .filter(meeting::Column::Status.ne(MeetingStatus::Cancelled))
        .exec(&*txn)
        .await?;
    if updated.rows_affected == 0 {
        txn.rollback().await?;
        return Err(AppError::Conflict("The meeting was changed by someone else meanwhile; reload".into()));
    }
    for (item, outcome) in outcomes {
        agenda_item::Entity::update_many()
            .col_expr(agenda_item::Column::Outcome, Expr::value(outcome))
            .col_expr(agenda_item::Column::UpdatedAt, Expr::value(now))
            .filter(agenda_item::Column::Id.eq(item))
            .filter(agenda_item::Column::MeetingId.eq(meeting.id))
            .exec(&*txn)
            .await?;
    }
    if first_time && let Some(kind) = time_entry_kind(meeting.kind) {
        time_entry::ActiveModel {
            id: Set(new_id()),
            doctor_id: Set(meeting.doctor_id),
            care_centre_id: Set(meeting.care_centre_id),
            kind: Set(kind),
            work_date: Set(copenhagen_date(meeting.starts_at)),
            minutes: Set(meeting.duration_minutes),
            meeting_id: Set(Some(meeting.id)),
            note: Set(Some("Recorded with the meeting's minutes".into())),
            created_at: Set(now),
            updated_at: Set(now),
        }
        .insert(&*txn)
        .await?;
    }
    let saved = meeting::Entity::find_by_id(meeting.id).one(&*txn).await?.ok_or(AppError::NotFound)?;
    txn.commit().await?;
    Ok(saved)
}

/// Cancels a PLANNED or AGENDA_SENT meeting (COORDINATOR or DOCTOR); a held meeting stays held.
/// Cancelling a cancelled meeting changes nothing.
pub async fn cancel(
    db: &DatabaseConnection,
    viewer: &Viewer,
    id: Uuid,
    now: DateTime<Utc>,
) -> AppResult<Outcome<meeting::Model>> {
    require_role(viewer, &[Role::Coordinator, Role::Doctor])?;
    let meeting = get(db, viewer, id).await?;
    let held = || AppError::validation("meetingId", "A held meeting cannot be cancelled");
    let changed = match meeting.status {
        MeetingStatus::Cancelled => false,
        MeetingStatus::Held => return Err(held()),
        MeetingStatus::Planned | MeetingStatus::AgendaSent => {
            meeting::Entity::update_many()
                .col_expr(meeting::Column::Status, Expr::value(MeetingStatus::Cancelled))
                .col_expr(meeting::Column::CancelledAt, Expr::value(Some(now)))
                .col_expr(meeting::Column::UpdatedAt, Expr::value(now))
                .col_expr(meeting::Column::Version, Expr::col(meeting::Column::Version).add(1))
                .filter(meeting::Column::Id.eq(meeting.id))
                .filter(meeting::Column::Status.is_in([MeetingStatus::Planned, MeetingStatus::AgendaSent]))
                .exec(db)
                .await?
                .rows_affected
                == 1
        }
    };
    let meeting = get(db, viewer, id).await?;
    match meeting.status {
        MeetingStatus::Cancelled => Ok(Outcome { value: meeting, changed }),
        _ => Err(held()),
    }
}

/// Time the doctor records by hand.
#[derive(Debug, Clone)]
pub struct LogTimeInput {
    pub care_centre_id: Uuid,
    pub kind: TimeEntryKind,
    pub work_date: NaiveDate,
    pub minutes: i32,
    pub note: Option<String>,
    pub meeting_id: Option<Uuid>,
}

/// A DOCTOR records time at a centre they are attached to (DESIGN §4: "own: write and read").
pub async fn log_time(
    db: &DatabaseConnection,
    viewer: &Viewer,
    input: LogTimeInput,
    now: DateTime<Utc>,
) -> AppResult<time_entry::Model> {
    require_role(viewer, &[Role::Doctor])?;
    let Some(doctor) = viewer.doctor_id else { return Err(AppError::Forbidden) };
    if !viewer.serves_centre(input.care_centre_id) {
        return Err(AppError::NotFound);
    }
    if !(1..=720).contains(&input.minutes) {
        return Err(AppError::validation("minutes", "minutes must be between 1 and 720"));
    }
    let today = copenhagen_date(now);
    if input.work_date > today {
        return Err(AppError::validation("workDate", "workDate must not be in the future"));
    }
    if input.work_date < today - Duration::days(366) {
        return Err(AppError::validation("workDate", "workDate must be within the last year"));
    }
    let note = optional_text("note", input.note.as_deref(), 1000)?;
    if let Some(meeting) = input.meeting_id {
        let meeting = get(db, viewer, meeting).await?;
        if meeting.care_centre_id != input.care_centre_id {
            return Err(AppError::validation("meetingId", "The meeting is not at this care centre"));
        }
    }
    let txn = audit::begin(db).await?;
    let entry = time_entry::ActiveModel {
        id: Set(new_id()),
        doctor_id: Set(doctor),
        care_centre_id: Set(input.care_centre_id),
        kind: Set(input.kind),
        work_date: Set(input.work_date),
        minutes: Set(input.minutes),
        meeting_id: Set(input.meeting_id),
        note: Set(note),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(&*txn)
    .await?;
    txn.commit().await?;
    Ok(entry)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn meeting_kinds_record_the_right_time() {
        assert_eq!(time_entry_kind(MeetingKind::Advisory), Some(TimeEntryKind::GeneralAdvisory));
        assert_eq!(time_entry_kind(MeetingKind::ExpectationAlignment), Some(TimeEntryKind::GeneralAdvisory));
        assert_eq!(time_entry_kind(MeetingKind::Evaluation), Some(TimeEntryKind::GeneralAdvisory));
        assert_eq!(time_entry_kind(MeetingKind::ResidentReview), Some(TimeEntryKind::IndividualTreatment));
        assert_eq!(time_entry_kind(MeetingKind::CareConference), None);
    }
}
