//! The agreed terms between doctor and care centre (forventningsafstemning).

use crate::enums::{AgreementStatus, ContactParty, MeetingCadence};
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "collaboration_agreements")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub care_centre_id: Uuid,
    pub doctor_id: Uuid,
    pub revision: i32,
    pub status: AgreementStatus,
    pub meeting_cadence: MeetingCadence,
    pub agenda_deadline_hours: i32,
    pub routine_answer_working_days: i32,
    pub urgent_answer_hours: i32,
    pub fast_response_windows: Json,
    pub hotline_usage: String,
    pub required_vitals: Json,
    pub vitals_max_age_hours: i32,
    pub relatives_contacted_by: ContactParty,
    pub move_in_coordinated_by: ContactParty,
    pub resuscitation_documented_by: ContactParty,
    pub next_evaluation_on: Option<Date>,
    pub proposed_by: Option<Uuid>,
    pub coordinator_accepted_by: Option<Uuid>,
    pub coordinator_accepted_at: Option<DateTimeUtc>,
    pub doctor_accepted_by: Option<Uuid>,
    pub doctor_accepted_at: Option<DateTimeUtc>,
    pub agreed_at: Option<DateTimeUtc>,
    pub version: i32,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::care_centre::Entity",
        from = "Column::CareCentreId",
        to = "super::care_centre::Column::Id"
    )]
    CareCentre,
    #[sea_orm(belongs_to = "super::doctor::Entity", from = "Column::DoctorId", to = "super::doctor::Column::Id")]
    Doctor,
    #[sea_orm(belongs_to = "super::user::Entity", from = "Column::ProposedBy", to = "super::user::Column::Id")]
    ProposedBy,
    #[sea_orm(
        belongs_to = "super::user::Entity",
        from = "Column::CoordinatorAcceptedBy",
        to = "super::user::Column::Id"
    )]
    CoordinatorAcceptedBy,
    #[sea_orm(belongs_to = "super::user::Entity", from = "Column::DoctorAcceptedBy", to = "super::user::Column::Id")]
    DoctorAcceptedBy,
}

impl Related<super::care_centre::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::CareCentre.def()
    }
}

impl Related<super::doctor::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Doctor.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
