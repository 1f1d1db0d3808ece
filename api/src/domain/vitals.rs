//! Required vitals before contacting the doctor (DESIGN §5): an URGENT question about a resident
//! needs an observation no older than the agreement's maximum age with every required vital,
//! unless the nurse gives an override reason. The service looks the observations up.

use chrono::{DateTime, Duration, Utc};
use entities::enums::{QuestionPriority, VitalSign};

/// One observation set as the rule sees it: when it was recorded and which vitals it holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Measured {
    pub recorded_at: DateTime<Utc>,
    pub vitals: Vec<VitalSign>,
}

/// Observations recorded at or after this instant are fresh enough.
pub fn fresh_after(max_age_hours: i32, now: DateTime<Utc>) -> DateTime<Utc> {
    now - Duration::hours(max_age_hours.into())
}

/// What the rule found among the candidate observations.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VitalsCheck {
    /// The index of the fresh candidate judged by (the one lacking the fewest required vitals,
    /// the first of equals); `None` when no candidate is fresh.
    pub judged_by: Option<usize>,
    /// The required vitals it lacks: all of them without a fresh candidate.
    pub missing: Vec<VitalSign>,
}

impl VitalsCheck {
    /// An URGENT question is refused while vitals are missing and no override reason is given;
    /// a ROUTINE one never is (its answer lists what is missing).
    pub fn refuses(&self, priority: QuestionPriority, overridden: bool) -> bool {
        priority == QuestionPriority::Urgent && !self.missing.is_empty() && !overridden
    }
}

/// Which of `required` are missing, judged by the best of `candidates` recorded no earlier than
/// `max_age_hours` before `now`.
pub fn check(required: &[VitalSign], candidates: &[Measured], max_age_hours: i32, now: DateTime<Utc>) -> VitalsCheck {
    let fresh_after = fresh_after(max_age_hours, now);
    let lacking = |m: &Measured| required.iter().copied().filter(|v| !m.vitals.contains(v)).collect::<Vec<_>>();
    let best = candidates
        .iter()
        .enumerate()
        .filter(|(_, m)| m.recorded_at >= fresh_after)
        .min_by_key(|(_, m)| lacking(m).len());
    match best {
        Some((index, m)) => VitalsCheck { judged_by: Some(index), missing: lacking(m) },
        None => VitalsCheck { judged_by: None, missing: required.to_vec() },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use VitalSign::*;

    const ALL: [VitalSign; 6] = [RespirationRate, OxygenSaturation, BloodPressure, Pulse, Consciousness, Temperature];

    fn now() -> DateTime<Utc> {
        "2026-03-02T10:00:00Z".parse().expect("instant")
    }

    fn taken(hours_ago: i64, vitals: &[VitalSign]) -> Measured {
        Measured { recorded_at: now() - Duration::hours(hours_ago), vitals: vitals.to_vec() }
    }

    #[test]
    fn without_observations_every_required_vital_is_missing() {
        let check = check(&[Pulse, Temperature], &[], 4, now());
        assert_eq!(check, VitalsCheck { judged_by: None, missing: vec![Pulse, Temperature] });
    }

    #[test]
    fn a_complete_fresh_observation_misses_nothing() {
        let check = check(&ALL, &[taken(1, &ALL)], 4, now());
        assert_eq!(check, VitalsCheck { judged_by: Some(0), missing: vec![] });
    }

    #[test]
    fn only_required_vitals_count_in_their_order() {
        let check = check(&[Temperature, Pulse, BloodPressure], &[taken(1, &[Pulse])], 4, now());
        assert_eq!(check.missing, vec![Temperature, BloodPressure]);
    }

    #[test]
    fn an_observation_older_than_the_maximum_age_is_not_judged_by() {
        assert_eq!(check(&ALL, &[taken(5, &ALL)], 4, now()).judged_by, None);
        assert_eq!(check(&ALL, &[taken(5, &ALL)], 4, now()).missing, ALL.to_vec());
        // Exactly the maximum age is still fresh.
        assert_eq!(check(&ALL, &[taken(4, &ALL)], 4, now()).judged_by, Some(0));
        assert_eq!(check(&ALL, &[taken(5, &ALL)], 6, now()).judged_by, Some(0));
    }

    #[test]
    fn the_fresh_candidate_lacking_fewest_is_judged_by_first_of_equals() {
        let candidates =
            [taken(6, &ALL), taken(1, &[Pulse]), taken(2, &[Pulse, Temperature]), taken(3, &[Pulse, Temperature])];
        let check = check(&[Pulse, Temperature, Consciousness], &candidates, 4, now());
        assert_eq!(check, VitalsCheck { judged_by: Some(2), missing: vec![Consciousness] });
    }

    #[test]
    fn only_an_urgent_question_without_override_is_refused() {
        let missing = VitalsCheck { judged_by: None, missing: vec![Pulse] };
        let complete = VitalsCheck { judged_by: Some(0), missing: vec![] };
        assert!(missing.refuses(QuestionPriority::Urgent, false));
        assert!(!missing.refuses(QuestionPriority::Urgent, true));
        assert!(!missing.refuses(QuestionPriority::Routine, false));
        assert!(!complete.refuses(QuestionPriority::Urgent, false));
    }
}
