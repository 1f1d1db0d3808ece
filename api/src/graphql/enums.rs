//! GraphQL mirrors of the stored enums (same names as in the database and in DESIGN §6).

use crate::services::residents::Polypharmacy as PolypharmacyLevel;
use async_graphql::Enum;

macro_rules! mirror {
    ($(#[$doc:meta])* $name:ident => $remote:literal { $($variant:ident $(= $gql:literal)?),* $(,)? }) => {
        $(#[$doc])*
        #[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
        #[graphql(remote = $remote)]
        pub enum $name { $($(#[graphql(name = $gql)])? $variant),* }
    };
}

mirror!(Role => "entities::enums::Role" { Admin, Coordinator, Nurse, Doctor, Relative });
mirror!(ResidentStatus => "entities::enums::ResidentStatus" { Active, Terminal, Discharged, Deceased });
mirror!(SpO2Scale => "entities::enums::Spo2Scale" { Scale1 = "SCALE_1", Scale2 = "SCALE_2" });
mirror!(ResuscitationChoice => "entities::enums::ResuscitationChoice" { FullTreatment, NoCpr, NoCprNoHospital, Undecided });
mirror!(Consciousness => "entities::enums::Consciousness" { Alert, NewConfusion, Voice, Pain, Unresponsive });
mirror!(News2Risk => "entities::enums::News2Risk" { Low, LowMedium, Medium, High });
mirror!(QuestionPriority => "entities::enums::QuestionPriority" { Routine, Urgent });
mirror!(QuestionStatus => "entities::enums::QuestionStatus" { Open, Answered, Closed, OnAgenda });
mirror!(MeetingKind => "entities::enums::MeetingKind" { Advisory, ResidentReview, ExpectationAlignment, Evaluation, CareConference });
mirror!(MeetingStatus => "entities::enums::MeetingStatus" { Planned, AgendaSent, Held, Cancelled });
mirror!(AgendaTopic => "entities::enums::AgendaTopic" {
    UrineSampling, Swabbing, SharedMedicationCard, LifeProlongingTreatment, DoseDispensing, OtcMedicine,
    PainManagement, Resuscitation, ResidentCase, Collaboration, Other,
});
mirror!(CarePlanStatus => "entities::enums::CarePlanStatus" { Draft, Agreed, Superseded });
mirror!(TimeEntryKind => "entities::enums::TimeEntryKind" { GeneralAdvisory, IndividualTreatment });
mirror!(AgreementStatus => "entities::enums::AgreementStatus" { Draft, Proposed, Agreed, Superseded });
mirror!(MeetingCadence => "entities::enums::MeetingCadence" { Weekly, Biweekly, Monthly, AdHoc });
mirror!(ContactParty => "entities::enums::ContactParty" { Staff, Doctor });
mirror!(VitalSign => "entities::enums::VitalSign" { RespirationRate, OxygenSaturation, BloodPressure, Pulse, Consciousness, Temperature });
mirror!(
    /// Active medications: 6 or more, 15 or more (DESIGN §5).
    Polypharmacy => "PolypharmacyLevel" { None, SixPlus, FifteenPlus }
);
