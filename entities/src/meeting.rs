//! An advisory meeting, resident review, care conference or the like.

use crate::enums::{MeetingKind, MeetingStatus};
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "meetings")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub care_centre_id: Uuid,
    pub doctor_id: Uuid,
    pub kind: MeetingKind,
    pub starts_at: DateTimeUtc,
    pub duration_minutes: i32,
    pub location: String,
    pub status: MeetingStatus,
    pub agenda_sent_at: Option<DateTimeUtc>,
    pub minutes: Option<String>,
    pub attendees: Json,
    pub held_at: Option<DateTimeUtc>,
    pub cancelled_at: Option<DateTimeUtc>,
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
