//! A person living in the care centre (beboer).

use crate::enums::{ResidentStatus, Spo2Scale};
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "residents")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub care_centre_id: Uuid,
    pub full_name: String,
    pub search_text: String,
    pub date_of_birth: Date,
    pub room: String,
    pub moved_in_on: Date,
    pub status: ResidentStatus,
    pub gp_doctor_id: Option<Uuid>,
    pub external_gp_name: Option<String>,
    pub external_gp_clinic: Option<String>,
    pub spo2_scale: Spo2Scale,
    pub intake_stage: i32,
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
    #[sea_orm(belongs_to = "super::doctor::Entity", from = "Column::GpDoctorId", to = "super::doctor::Column::Id")]
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
