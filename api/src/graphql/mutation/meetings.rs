//! Meetings, agendas and the doctor's time (DESIGN §5 "Agenda deadline", "Advisory time").
//! The rules and the decisions where the design is silent are in `services::meetings`.

use crate::error::{AppError, AppResult};
use crate::events::{Event, MeetingEventKind};
use crate::graphql::enums::{AgendaTopic, MeetingKind, TimeEntryKind};
use crate::graphql::scalars::Date;
use crate::graphql::types::{AgendaItem, Meeting, TimeEntry};
use crate::graphql::{RequestState, authed};
use crate::ids::{self, Kind};
use crate::services::meetings::{self as service, LogTimeInput as LogTime, MinutesInput, ProposeInput, ScheduleInput};
use crate::services::residents::{Target, refused_write};
use async_graphql::{Context, ID, InputObject, Object};
use chrono::{DateTime, Utc};
use entities::meeting;

#[derive(InputObject)]
pub struct ScheduleMeetingInput {
    pub care_centre_id: ID,
    pub kind: MeetingKind,
    /// In the future, within two years.
    pub starts_at: DateTime<Utc>,
    /// 5–480.
    pub duration_minutes: i32,
    pub location: String,
    /// Default: the viewing doctor, else the centre's first attached doctor. Must be attached.
    pub doctor_id: Option<ID>,
    /// CARE_CONFERENCE only: relatives (user ids) with consent, linked to a resident of the centre.
    pub invited_relative_ids: Option<Vec<ID>>,
}

#[derive(InputObject)]
pub struct ProposeAgendaItemInput {
    pub meeting_id: ID,
    pub topic: AgendaTopic,
    pub title: String,
    pub description: Option<String>,
    /// A resident of the meeting's care centre.
    pub resident_id: Option<ID>,
}

#[derive(InputObject)]
pub struct AgendaItemOutcomeInput {
    pub agenda_item_id: ID,
    /// The decision on the item; empty clears it.
    pub outcome: String,
}

#[derive(InputObject)]
pub struct RecordMeetingMinutesInput {
    pub meeting_id: ID,
    pub minutes: String,
    pub attendees: Vec<String>,
    /// Outcomes of agenda items of this meeting; items not named keep theirs.
    pub outcomes: Option<Vec<AgendaItemOutcomeInput>>,
    /// `Meeting.version` as the client saw it; a stale version is a CONFLICT.
    pub expected_version: Option<i32>,
}

#[derive(InputObject)]
pub struct LogTimeInput {
    /// A centre the doctor is attached to.
    pub care_centre_id: ID,
    pub kind: TimeEntryKind,
    /// Not in the future, at most a year back.
    pub work_date: Date,
    /// 1–720.
    pub minutes: i32,
    pub note: Option<String>,
    /// A meeting of the same centre the time belongs to (e.g. preparation).
    pub meeting_id: Option<ID>,
}

async fn announce(state: &RequestState, meeting: &meeting::Model, kind: MeetingEventKind) {
    let event = Event::MeetingChanged { meeting: meeting.id, centre: meeting.care_centre_id, kind };
    state.events.publish(event).await;
}

fn meeting_id(id: &ID) -> AppResult<uuid::Uuid> {
    ids::decode(id, Kind::Meeting, "meetingId")
}

#[derive(Default)]
pub struct MeetingMutations;

#[Object]
impl MeetingMutations {
    /// COORDINATOR of the centre or an attached DOCTOR schedules a meeting (status PLANNED).
    async fn schedule_meeting(&self, ctx: &Context<'_>, input: ScheduleMeetingInput) -> AppResult<Meeting> {
        let (state, viewer) = authed(ctx)?;
        let invited_relative_ids = input
            .invited_relative_ids
            .unwrap_or_default()
            .iter()
            .map(|id| ids::decode(id, Kind::User, "invitedRelativeIds"))
            .collect::<AppResult<Vec<_>>>()
            .map_err(|_| AppError::validation("invitedRelativeIds", "Invite relatives by their user id"))?;
        let input = ScheduleInput {
            care_centre_id: ids::decode(&input.care_centre_id, Kind::CareCentre, "careCentreId")?,
            kind: input.kind.into(),
            starts_at: input.starts_at,
            duration_minutes: input.duration_minutes,
            location: input.location,
            doctor_id: input.doctor_id.map(|id| ids::decode(&id, Kind::Doctor, "doctorId")).transpose()?,
            invited_relative_ids,
        };
        let meeting = service::schedule(&state.db, viewer, input, state.now).await?;
        announce(state, &meeting, MeetingEventKind::Scheduled).await;
        Ok(Meeting(meeting))
    }

    /// Puts an item on the agenda. Nurses only before the agenda deadline; the coordinator's and
    /// the doctor's later items are flagged `addedAfterDeadline`.
    async fn propose_agenda_item(&self, ctx: &Context<'_>, input: ProposeAgendaItemInput) -> AppResult<AgendaItem> {
        let (state, viewer) = authed(ctx)?;
        let input = ProposeInput {
            meeting_id: meeting_id(&input.meeting_id)?,
            topic: input.topic.into(),
            title: input.title,
            description: input.description,
            resident_id: input.resident_id.map(|id| ids::decode(&id, Kind::Resident, "residentId")).transpose()?,
        };
        let target = input.resident_id.map(Target::Resident);
        let proposed = service::propose_item(&state.db, viewer, input, state.now).await;
        Ok(AgendaItem(refused_write(&state.db, viewer, target, proposed).await?))
    }

    /// Sends the agenda before its deadline (it goes out by itself at the deadline).
    async fn send_agenda(&self, ctx: &Context<'_>, meeting_id: ID) -> AppResult<Meeting> {
        let (state, viewer) = authed(ctx)?;
        let sent = service::send_agenda(&state.db, viewer, self::meeting_id(&meeting_id)?, state.now).await?;
        if sent.changed {
            announce(state, &sent.value, MeetingEventKind::AgendaSent).await;
        }
        Ok(Meeting(sent.value))
    }

    /// Records the minutes (the meeting becomes HELD) and, the first time, the doctor's time for
    /// it. Recording again corrects the minutes in place and never adds a second time entry.
    async fn record_meeting_minutes(&self, ctx: &Context<'_>, input: RecordMeetingMinutesInput) -> AppResult<Meeting> {
        let (state, viewer) = authed(ctx)?;
        let outcomes = input
            .outcomes
            .unwrap_or_default()
            .into_iter()
            .map(|o| Ok((ids::decode(&o.agenda_item_id, Kind::AgendaItem, "outcomes")?, o.outcome)))
            .collect::<AppResult<Vec<_>>>()
            .map_err(|_| {
                AppError::validation("outcomes", "An outcome names an item that is not on this meeting's agenda")
            })?;
        let input = MinutesInput {
            meeting_id: meeting_id(&input.meeting_id)?,
            minutes: input.minutes,
            attendees: input.attendees,
            outcomes,
            expected_version: input.expected_version,
        };
        let meeting = service::record_minutes(&state.db, viewer, input, state.now).await?;
        announce(state, &meeting, MeetingEventKind::MinutesRecorded).await;
        Ok(Meeting(meeting))
    }

    /// Cancels a meeting that was not held.
    async fn cancel_meeting(&self, ctx: &Context<'_>, meeting_id: ID) -> AppResult<Meeting> {
        let (state, viewer) = authed(ctx)?;
        let cancelled = service::cancel(&state.db, viewer, self::meeting_id(&meeting_id)?, state.now).await?;
        if cancelled.changed {
            announce(state, &cancelled.value, MeetingEventKind::Cancelled).await;
        }
        Ok(Meeting(cancelled.value))
    }

    /// DOCTOR: records time at a centre they are attached to; it counts in `advisoryTimeReport`.
    async fn log_time(&self, ctx: &Context<'_>, input: LogTimeInput) -> AppResult<TimeEntry> {
        let (state, viewer) = authed(ctx)?;
        let input = LogTime {
            care_centre_id: ids::decode(&input.care_centre_id, Kind::CareCentre, "careCentreId")?,
            kind: input.kind.into(),
            work_date: input.work_date.0,
            minutes: input.minutes,
            note: input.note,
            meeting_id: input.meeting_id.as_ref().map(meeting_id).transpose()?,
        };
        Ok(TimeEntry(service::log_time(&state.db, viewer, input, state.now).await?))
    }
}
