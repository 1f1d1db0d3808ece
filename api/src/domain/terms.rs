//! The terms of a collaboration agreement that the rules read (DESIGN §3), with the design's
//! defaults for a centre and doctor who have no agreement in force.

use entities::enums::VitalSign;
use sea_orm::Iterable;

/// Agreed terms: agenda deadline, answer times and the vitals wanted before contacting the doctor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Terms {
    /// Hours before a meeting's start at which its agenda closes.
    pub agenda_deadline_hours: i32,
    /// Working days a ROUTINE question may wait for its answer.
    pub routine_answer_working_days: i32,
    /// Hours an URGENT question may wait for its answer.
    pub urgent_answer_hours: i32,
    /// Vitals an URGENT question about a resident needs, in this order.
    pub required_vitals: Vec<VitalSign>,
    /// How old the observation carrying them may be, in hours.
    pub vitals_max_age_hours: i32,
}

/// DESIGN §3: agenda 48 h before, routine answer in 2 working days, urgent in 4 h, all six vitals
/// no older than 4 h.
impl Default for Terms {
    fn default() -> Self {
        Terms {
            agenda_deadline_hours: 48,
            routine_answer_working_days: 2,
            urgent_answer_hours: 4,
            required_vitals: VitalSign::iter().collect(),
            vitals_max_age_hours: 4,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_design_section_3() {
        let terms = Terms::default();
        assert_eq!(
            (terms.agenda_deadline_hours, terms.routine_answer_working_days, terms.urgent_answer_hours),
            (48, 2, 4)
        );
        assert_eq!(terms.vitals_max_age_hours, 4);
        assert_eq!(terms.required_vitals.len(), 6);
    }
}
