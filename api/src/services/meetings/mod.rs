//! Meetings, their agendas and the doctor's time (DESIGN §3–§5), by concern: scheduling and
//! cancelling here, [`agenda`] (items, deadline, sending), [`minutes`] (minutes and the automatic
//! time entry) and [`time`] (logged time).
//!
//! Decisions where the design is silent:
//! - **Who**: COORDINATOR of the centre and DOCTORs attached to it schedule, send agendas, record
//!   minutes and cancel; NURSEs of the centre propose agenda items before the deadline. Other roles
//!   are `FORBIDDEN`; a centre or meeting outside the viewer's scope is `NOT_FOUND`.
//! - **Cancel** is for PLANNED and AGENDA_SENT meetings; cancelling twice is harmless. Questions
//!   moved onto a cancelled meeting's agenda stay ON_AGENDA (not yet handled).

mod agenda;
mod minutes;
mod time;

pub use agenda::*;
pub use minutes::*;
pub use time::*;

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

/// A write and whether it changed anything (only changes are announced).
pub struct Outcome<T> {
    pub value: T,
    pub changed: bool,
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
