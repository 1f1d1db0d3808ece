//! String-backed enums, stored as their SCREAMING_SNAKE_CASE names on every backend.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::None)")]
pub enum Role {
    #[sea_orm(string_value = "ADMIN")]
    #[serde(rename = "ADMIN")]
    Admin,
    #[sea_orm(string_value = "COORDINATOR")]
    #[serde(rename = "COORDINATOR")]
    Coordinator,
    #[sea_orm(string_value = "NURSE")]
    #[serde(rename = "NURSE")]
    Nurse,
    #[sea_orm(string_value = "DOCTOR")]
    #[serde(rename = "DOCTOR")]
    Doctor,
    #[sea_orm(string_value = "RELATIVE")]
    #[serde(rename = "RELATIVE")]
    Relative,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::None)")]
pub enum ResidentStatus {
    #[sea_orm(string_value = "ACTIVE")]
    #[serde(rename = "ACTIVE")]
    Active,
    #[sea_orm(string_value = "TERMINAL")]
    #[serde(rename = "TERMINAL")]
    Terminal,
    #[sea_orm(string_value = "DISCHARGED")]
    #[serde(rename = "DISCHARGED")]
    Discharged,
    #[sea_orm(string_value = "DECEASED")]
    #[serde(rename = "DECEASED")]
    Deceased,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::None)")]
pub enum Spo2Scale {
    #[sea_orm(string_value = "SCALE_1")]
    #[serde(rename = "SCALE_1")]
    Scale1,
    #[sea_orm(string_value = "SCALE_2")]
    #[serde(rename = "SCALE_2")]
    Scale2,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::None)")]
pub enum ResuscitationChoice {
    #[sea_orm(string_value = "FULL_TREATMENT")]
    #[serde(rename = "FULL_TREATMENT")]
    FullTreatment,
    #[sea_orm(string_value = "NO_CPR")]
    #[serde(rename = "NO_CPR")]
    NoCpr,
    #[sea_orm(string_value = "NO_CPR_NO_HOSPITAL")]
    #[serde(rename = "NO_CPR_NO_HOSPITAL")]
    NoCprNoHospital,
    #[sea_orm(string_value = "UNDECIDED")]
    #[serde(rename = "UNDECIDED")]
    Undecided,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::None)")]
pub enum Consciousness {
    #[sea_orm(string_value = "ALERT")]
    #[serde(rename = "ALERT")]
    Alert,
    #[sea_orm(string_value = "NEW_CONFUSION")]
    #[serde(rename = "NEW_CONFUSION")]
    NewConfusion,
    #[sea_orm(string_value = "VOICE")]
    #[serde(rename = "VOICE")]
    Voice,
    #[sea_orm(string_value = "PAIN")]
    #[serde(rename = "PAIN")]
    Pain,
    #[sea_orm(string_value = "UNRESPONSIVE")]
    #[serde(rename = "UNRESPONSIVE")]
    Unresponsive,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::None)")]
pub enum News2Risk {
    #[sea_orm(string_value = "LOW")]
    #[serde(rename = "LOW")]
    Low,
    #[sea_orm(string_value = "LOW_MEDIUM")]
    #[serde(rename = "LOW_MEDIUM")]
    LowMedium,
    #[sea_orm(string_value = "MEDIUM")]
    #[serde(rename = "MEDIUM")]
    Medium,
    #[sea_orm(string_value = "HIGH")]
    #[serde(rename = "HIGH")]
    High,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::None)")]
pub enum QuestionPriority {
    #[sea_orm(string_value = "ROUTINE")]
    #[serde(rename = "ROUTINE")]
    Routine,
    #[sea_orm(string_value = "URGENT")]
    #[serde(rename = "URGENT")]
    Urgent,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::None)")]
pub enum QuestionStatus {
    #[sea_orm(string_value = "OPEN")]
    #[serde(rename = "OPEN")]
    Open,
    #[sea_orm(string_value = "ANSWERED")]
    #[serde(rename = "ANSWERED")]
    Answered,
    #[sea_orm(string_value = "CLOSED")]
    #[serde(rename = "CLOSED")]
    Closed,
    #[sea_orm(string_value = "ON_AGENDA")]
    #[serde(rename = "ON_AGENDA")]
    OnAgenda,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::None)")]
pub enum MeetingKind {
    #[sea_orm(string_value = "ADVISORY")]
    #[serde(rename = "ADVISORY")]
    Advisory,
    #[sea_orm(string_value = "RESIDENT_REVIEW")]
    #[serde(rename = "RESIDENT_REVIEW")]
    ResidentReview,
    #[sea_orm(string_value = "EXPECTATION_ALIGNMENT")]
    #[serde(rename = "EXPECTATION_ALIGNMENT")]
    ExpectationAlignment,
    #[sea_orm(string_value = "EVALUATION")]
    #[serde(rename = "EVALUATION")]
    Evaluation,
    #[sea_orm(string_value = "CARE_CONFERENCE")]
    #[serde(rename = "CARE_CONFERENCE")]
    CareConference,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::None)")]
pub enum MeetingStatus {
    #[sea_orm(string_value = "PLANNED")]
    #[serde(rename = "PLANNED")]
    Planned,
    #[sea_orm(string_value = "AGENDA_SENT")]
    #[serde(rename = "AGENDA_SENT")]
    AgendaSent,
    #[sea_orm(string_value = "HELD")]
    #[serde(rename = "HELD")]
    Held,
    #[sea_orm(string_value = "CANCELLED")]
    #[serde(rename = "CANCELLED")]
    Cancelled,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::None)")]
pub enum AgendaTopic {
    #[sea_orm(string_value = "URINE_SAMPLING")]
    #[serde(rename = "URINE_SAMPLING")]
    UrineSampling,
    #[sea_orm(string_value = "SWABBING")]
    #[serde(rename = "SWABBING")]
    Swabbing,
    #[sea_orm(string_value = "SHARED_MEDICATION_CARD")]
    #[serde(rename = "SHARED_MEDICATION_CARD")]
    SharedMedicationCard,
    #[sea_orm(string_value = "LIFE_PROLONGING_TREATMENT")]
    #[serde(rename = "LIFE_PROLONGING_TREATMENT")]
    LifeProlongingTreatment,
    #[sea_orm(string_value = "DOSE_DISPENSING")]
    #[serde(rename = "DOSE_DISPENSING")]
    DoseDispensing,
    #[sea_orm(string_value = "OTC_MEDICINE")]
    #[serde(rename = "OTC_MEDICINE")]
    OtcMedicine,
    #[sea_orm(string_value = "PAIN_MANAGEMENT")]
    #[serde(rename = "PAIN_MANAGEMENT")]
    PainManagement,
    #[sea_orm(string_value = "RESUSCITATION")]
    #[serde(rename = "RESUSCITATION")]
    Resuscitation,
    #[sea_orm(string_value = "RESIDENT_CASE")]
    #[serde(rename = "RESIDENT_CASE")]
    ResidentCase,
    #[sea_orm(string_value = "COLLABORATION")]
    #[serde(rename = "COLLABORATION")]
    Collaboration,
    #[sea_orm(string_value = "OTHER")]
    #[serde(rename = "OTHER")]
    Other,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::None)")]
pub enum CarePlanStatus {
    #[sea_orm(string_value = "DRAFT")]
    #[serde(rename = "DRAFT")]
    Draft,
    #[sea_orm(string_value = "AGREED")]
    #[serde(rename = "AGREED")]
    Agreed,
    #[sea_orm(string_value = "SUPERSEDED")]
    #[serde(rename = "SUPERSEDED")]
    Superseded,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::None)")]
pub enum TimeEntryKind {
    #[sea_orm(string_value = "GENERAL_ADVISORY")]
    #[serde(rename = "GENERAL_ADVISORY")]
    GeneralAdvisory,
    #[sea_orm(string_value = "INDIVIDUAL_TREATMENT")]
    #[serde(rename = "INDIVIDUAL_TREATMENT")]
    IndividualTreatment,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::None)")]
pub enum AgreementStatus {
    #[sea_orm(string_value = "DRAFT")]
    #[serde(rename = "DRAFT")]
    Draft,
    #[sea_orm(string_value = "PROPOSED")]
    #[serde(rename = "PROPOSED")]
    Proposed,
    #[sea_orm(string_value = "AGREED")]
    #[serde(rename = "AGREED")]
    Agreed,
    #[sea_orm(string_value = "SUPERSEDED")]
    #[serde(rename = "SUPERSEDED")]
    Superseded,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::None)")]
pub enum MeetingCadence {
    #[sea_orm(string_value = "WEEKLY")]
    #[serde(rename = "WEEKLY")]
    Weekly,
    #[sea_orm(string_value = "BIWEEKLY")]
    #[serde(rename = "BIWEEKLY")]
    Biweekly,
    #[sea_orm(string_value = "MONTHLY")]
    #[serde(rename = "MONTHLY")]
    Monthly,
    #[sea_orm(string_value = "AD_HOC")]
    #[serde(rename = "AD_HOC")]
    AdHoc,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::None)")]
pub enum ContactParty {
    #[sea_orm(string_value = "STAFF")]
    #[serde(rename = "STAFF")]
    Staff,
    #[sea_orm(string_value = "DOCTOR")]
    #[serde(rename = "DOCTOR")]
    Doctor,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::None)")]
pub enum VitalSign {
    #[sea_orm(string_value = "RESPIRATION_RATE")]
    #[serde(rename = "RESPIRATION_RATE")]
    RespirationRate,
    #[sea_orm(string_value = "OXYGEN_SATURATION")]
    #[serde(rename = "OXYGEN_SATURATION")]
    OxygenSaturation,
    #[sea_orm(string_value = "BLOOD_PRESSURE")]
    #[serde(rename = "BLOOD_PRESSURE")]
    BloodPressure,
    #[sea_orm(string_value = "PULSE")]
    #[serde(rename = "PULSE")]
    Pulse,
    #[sea_orm(string_value = "CONSCIOUSNESS")]
    #[serde(rename = "CONSCIOUSNESS")]
    Consciousness,
    #[sea_orm(string_value = "TEMPERATURE")]
    #[serde(rename = "TEMPERATURE")]
    Temperature,
}
