//! Minutes of a held meeting.
//!
//! - **Minutes** may be recorded from the meeting's day (Copenhagen) on. Recording them again
//!   *updates in place* (corrections are common): minutes, attendees and the given outcomes are
//!   replaced, `heldAt` stays, and no second time entry is made — the automatic entry is written only
//!   in the transaction that moves the meeting to HELD, guarded by its version, so it exists once.
//!   Outcomes not mentioned keep their text; an empty outcome clears it.

use super::*;

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
