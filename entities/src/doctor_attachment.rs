//! A doctor attached to a care centre (plejehjemslæge).

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "doctor_attachments")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub doctor_id: Uuid,
    pub care_centre_id: Uuid,
    pub ended_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(belongs_to = "super::doctor::Entity", from = "Column::DoctorId", to = "super::doctor::Column::Id")]
    Doctor,
    #[sea_orm(
        belongs_to = "super::care_centre::Entity",
        from = "Column::CareCentreId",
        to = "super::care_centre::Column::Id"
    )]
    CareCentre,
}

impl Related<super::doctor::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Doctor.def()
    }
}

impl Related<super::care_centre::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::CareCentre.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
