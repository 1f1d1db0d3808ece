//! A written question from staff to the doctor (korrespondance).

use crate::enums::{QuestionPriority, QuestionStatus};
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "questions")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub care_centre_id: Uuid,
    pub resident_id: Option<Uuid>,
    pub asked_by: Uuid,
    pub doctor_id: Uuid,
    pub subject: String,
    pub body: String,
    pub category: Option<String>,
    pub priority: QuestionPriority,
    pub status: QuestionStatus,
    pub asked_at: DateTimeUtc,
    pub due_at: DateTimeUtc,
    pub answered_at: Option<DateTimeUtc>,
    pub closed_at: Option<DateTimeUtc>,
    pub override_reason: Option<String>,
    pub missing_vitals: Json,
    pub client_mutation_id: Uuid,
    pub payload_hash: String,
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
    #[sea_orm(belongs_to = "super::resident::Entity", from = "Column::ResidentId", to = "super::resident::Column::Id")]
    Resident,
    #[sea_orm(belongs_to = "super::user::Entity", from = "Column::AskedBy", to = "super::user::Column::Id")]
    User,
    #[sea_orm(belongs_to = "super::doctor::Entity", from = "Column::DoctorId", to = "super::doctor::Column::Id")]
    Doctor,
}

impl Related<super::care_centre::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::CareCentre.def()
    }
}

impl Related<super::resident::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Resident.def()
    }
}

impl Related<super::user::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::User.def()
    }
}

impl Related<super::doctor::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Doctor.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
