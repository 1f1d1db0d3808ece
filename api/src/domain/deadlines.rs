//! Answer and agenda deadlines (DESIGN §5), evaluated in Europe/Copenhagen.

use chrono::{DateTime, Datelike, Duration, LocalResult, NaiveDateTime, NaiveTime, TimeZone, Utc, Weekday};
use chrono_tz::Europe::Copenhagen;
use entities::enums::{MeetingStatus, QuestionPriority};

/// When a question must be answered. URGENT: asked + the agreement's urgent hours. ROUTINE:
/// asked + N working days (Monday–Friday) at the same local clock time. A routine question asked
/// on a Saturday or Sunday counts from Monday 08:00, the start of the next working day.
pub fn answer_due_at(
    asked_at: DateTime<Utc>,
    priority: QuestionPriority,
    urgent_hours: i32,
    routine_working_days: i32,
) -> DateTime<Utc> {
    if priority == QuestionPriority::Urgent {
        return asked_at + Duration::hours(urgent_hours.into());
    }
    let mut local = asked_at.with_timezone(&Copenhagen).naive_local();
    while is_weekend(local) {
        let next_day = local.date() + Duration::days(1);
        local = NaiveDateTime::new(next_day, NaiveTime::from_hms_opt(8, 0, 0).unwrap_or_default());
    }
    let mut remaining = routine_working_days;
    while remaining > 0 {
        local += Duration::days(1);
        if !is_weekend(local) {
            remaining -= 1;
        }
    }
    to_utc(local)
}

/// The last moment to put items on a meeting's agenda.
pub fn agenda_deadline(starts_at: DateTime<Utc>, agenda_deadline_hours: i32) -> DateTime<Utc> {
    starts_at - Duration::hours(agenda_deadline_hours.into())
}

/// Whether an item added to the agenda of a meeting in `status` at `now` comes after the agenda
/// deadline: the agenda was sent, or the deadline has come ("before it" is strictly before).
pub fn after_agenda_deadline(status: MeetingStatus, deadline: DateTime<Utc>, now: DateTime<Utc>) -> bool {
    status == MeetingStatus::AgendaSent || now >= deadline
}

fn is_weekend(local: NaiveDateTime) -> bool {
    matches!(local.weekday(), Weekday::Sat | Weekday::Sun)
}

/// Local Copenhagen time to UTC; in the spring gap the clock moves forward an hour, in the autumn
/// overlap the earlier instant wins. (Danish clocks change on Sundays at 02:00/03:00, so a routine
/// deadline, always on a working day, never lands in either; this only keeps the function total.)
fn to_utc(local: NaiveDateTime) -> DateTime<Utc> {
    match Copenhagen.from_local_datetime(&local) {
        LocalResult::Single(t) => t.with_timezone(&Utc),
        LocalResult::Ambiguous(early, _) => early.with_timezone(&Utc),
        LocalResult::None => to_utc(local + Duration::hours(1)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use QuestionPriority::{Routine, Urgent};

    fn cph(y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
        to_utc(chrono::NaiveDate::from_ymd_opt(y, m, d).and_then(|d| d.and_hms_opt(h, min, 0)).expect("valid"))
    }

    #[test]
    fn routine_counts_working_days_at_the_same_clock_time() {
        // 2026-11-23 is a Monday.
        assert_eq!(answer_due_at(cph(2026, 11, 23, 10, 15), Routine, 4, 2), cph(2026, 11, 25, 10, 15));
        assert_eq!(answer_due_at(cph(2026, 11, 26, 10, 0), Routine, 4, 2), cph(2026, 11, 30, 10, 0), "Thu → Mon");
        assert_eq!(answer_due_at(cph(2026, 11, 27, 16, 0), Routine, 4, 2), cph(2026, 12, 1, 16, 0), "Fri → Tue");
        assert_eq!(answer_due_at(cph(2026, 11, 28, 11, 0), Routine, 4, 2), cph(2026, 12, 2, 8, 0), "Sat → Wed 08");
        assert_eq!(answer_due_at(cph(2026, 11, 29, 23, 0), Routine, 4, 1), cph(2026, 12, 1, 8, 0), "Sun → Tue 08");
    }

    #[test]
    fn routine_keeps_local_clock_time_across_daylight_saving_changes() {
        // Summer time ends Sunday 2026-10-25: Friday 10:00 CEST is 08:00 UTC, Tuesday 10:00 CET is 09:00 UTC.
        let due = answer_due_at(cph(2026, 10, 23, 10, 0), Routine, 4, 2);
        assert_eq!(due, cph(2026, 10, 27, 10, 0));
        assert_eq!(due.to_rfc3339(), "2026-10-27T09:00:00+00:00");
        // Summer time begins Sunday 2026-03-29.
        let due = answer_due_at(cph(2026, 3, 27, 10, 0), Routine, 4, 1);
        assert_eq!(due.to_rfc3339(), "2026-03-30T08:00:00+00:00");
    }

    #[test]
    fn local_times_in_the_gap_or_overlap_resolve_to_one_instant() {
        let at = |d: u32, h: u32, m: u32| {
            to_utc(chrono::NaiveDate::from_ymd_opt(2026, 3, d).and_then(|d| d.and_hms_opt(h, m, 0)).expect("valid"))
        };
        // 02:30 on 29 March does not exist: it becomes 03:30 summer time.
        assert_eq!(at(29, 2, 30).to_rfc3339(), "2026-03-29T01:30:00+00:00");
        // 02:30 on 25 October exists twice: the first (summer time) is taken.
        let autumn = NaiveDateTime::new(
            chrono::NaiveDate::from_ymd_opt(2026, 10, 25).expect("date"),
            NaiveTime::from_hms_opt(2, 30, 0).expect("time"),
        );
        assert_eq!(to_utc(autumn).to_rfc3339(), "2026-10-25T00:30:00+00:00");
    }

    #[test]
    fn urgent_adds_hours_and_ignores_weekends() {
        let asked = cph(2026, 11, 28, 22, 30);
        assert_eq!(answer_due_at(asked, Urgent, 4, 2), asked + Duration::hours(4));
    }

    #[test]
    fn agenda_deadline_is_hours_before_start() {
        let start = cph(2026, 11, 26, 13, 0);
        assert_eq!(agenda_deadline(start, 48), cph(2026, 11, 24, 13, 0));
    }

    #[test]
    fn at_the_agenda_deadline_an_item_is_late() {
        let deadline = cph(2026, 11, 24, 13, 0);
        let before = deadline - Duration::seconds(1);
        assert!(!after_agenda_deadline(MeetingStatus::Planned, deadline, before));
        assert!(after_agenda_deadline(MeetingStatus::Planned, deadline, deadline));
        assert!(after_agenda_deadline(MeetingStatus::AgendaSent, deadline, before), "a sent agenda is closed");
    }
}
