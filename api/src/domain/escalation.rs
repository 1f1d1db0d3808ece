//! Escalation advice after a NEWS2 score (RCP 2017 clinical response): what to do and when to
//! observe again. It supports, and never replaces, clinical judgement.

use super::news2::News2Score;
use entities::enums::News2Risk;

/// What the escalation advice says, by NEWS2 risk (RCP 2017 clinical response).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EscalationLevel {
    /// Continue routine monitoring.
    RoutineMonitoring,
    /// Inform the nurse in charge, who decides whether to escalate.
    InformNurseInCharge,
    /// Urgent assessment; contact the doctor through the agreement's fast channel.
    UrgentDoctorContact,
    /// Emergency: call 112 / the acute team.
    Emergency,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EscalationAdvice {
    pub level: EscalationLevel,
    /// Suggested hours until the next observation set.
    pub monitoring_interval_hours: i32,
    pub message: &'static str,
}

pub fn escalation(news2: &News2Score) -> EscalationAdvice {
    let (level, monitoring_interval_hours, message) = match news2.risk {
        News2Risk::Low if news2.total == 0 => {
            (EscalationLevel::RoutineMonitoring, 12, "Continue routine monitoring (at least every 12 hours).")
        }
        News2Risk::Low => (
            EscalationLevel::InformNurseInCharge,
            4,
            "Inform the nurse in charge, who decides whether to increase monitoring or escalate; observe at least every 4–6 hours.",
        ),
        News2Risk::LowMedium => (
            EscalationLevel::InformNurseInCharge,
            1,
            "A single parameter scores 3: inform the nurse in charge for an urgent review and observe at least hourly.",
        ),
        News2Risk::Medium => (
            EscalationLevel::UrgentDoctorContact,
            1,
            "Urgent assessment: contact the doctor through the agreement's fast channel; observe at least hourly.",
        ),
        News2Risk::High => {
            (EscalationLevel::Emergency, 0, "Emergency: call 112 or the acute team now; observe continuously.")
        }
    };
    EscalationAdvice { level, monitoring_interval_hours, message }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escalation_follows_risk() {
        let s = |total, risk| News2Score { total, risk, complete: true, any_single_parameter_three: false };
        assert_eq!(escalation(&s(0, News2Risk::Low)).level, EscalationLevel::RoutineMonitoring);
        assert_eq!(escalation(&s(2, News2Risk::Low)).level, EscalationLevel::InformNurseInCharge);
        assert_eq!(escalation(&s(3, News2Risk::LowMedium)).level, EscalationLevel::InformNurseInCharge);
        assert_eq!(escalation(&s(5, News2Risk::Medium)).level, EscalationLevel::UrgentDoctorContact);
        assert_eq!(escalation(&s(7, News2Risk::High)).level, EscalationLevel::Emergency);
    }

    #[test]
    fn the_monitoring_interval_shortens_with_risk() {
        let s = |total, risk| News2Score { total, risk, complete: true, any_single_parameter_three: false };
        let hours = |total, risk| escalation(&s(total, risk)).monitoring_interval_hours;
        assert_eq!(hours(0, News2Risk::Low), 12);
        assert_eq!(hours(2, News2Risk::Low), 4);
        assert_eq!(hours(3, News2Risk::LowMedium), 1);
        assert_eq!(hours(5, News2Risk::Medium), 1);
        assert_eq!(hours(7, News2Risk::High), 0);
    }
}
