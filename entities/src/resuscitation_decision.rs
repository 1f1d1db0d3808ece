//! A GP's documented decision on CPR and life-prolonging treatment; history kept.

use crate::enums::ResuscitationChoice;
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "resuscitation_decisions")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub resident_id: Uuid,
    pub decision: ResuscitationChoice,
    pub note: Option<String>,
    pub decided_by: Uuid,
    pub decided_at: DateTimeUtc,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(belongs_to = "super::resident::Entity", from = "Column::ResidentId", to = "super::resident::Column::Id")]
    Resident,
    #[sea_orm(belongs_to = "super::doctor::Entity", from = "Column::DecidedBy", to = "super::doctor::Column::Id")]
    Doctor,
}

impl Related<super::resident::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Resident.def()
    }
}

impl Related<super::doctor::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Doctor.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
