//! The agenda of a meeting.
//!
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

use super::*;

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
