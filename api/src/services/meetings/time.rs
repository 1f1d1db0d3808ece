//! The doctor's time.
//!
//! - **Time**: the automatic entry is for the meeting's doctor and centre, its duration, on its
//!   Copenhagen date. `logTime` entries (DOCTOR, own attached centres) are separate, also when they
//!   name a meeting (e.g. preparation). Work dates may not be in the future nor over a year back.

use super::*;

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
