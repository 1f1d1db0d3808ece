//! One version of the care plan of a resident (plejeplan).

use crate::enums::CarePlanStatus;
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "care_plans")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub resident_id: Uuid,
    pub revision: i32,
    pub status: CarePlanStatus,
    pub goals: String,
    pub sections: Json,
    pub agreed_at: Option<DateTimeUtc>,
    pub agreed_with: Option<String>,
    pub shared_with_relatives: bool,
    pub authored_by: Uuid,
    pub version: i32,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(belongs_to = "super::resident::Entity", from = "Column::ResidentId", to = "super::resident::Column::Id")]
    Resident,
    #[sea_orm(belongs_to = "super::user::Entity", from = "Column::AuthoredBy", to = "super::user::Column::Id")]
    User,
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

impl ActiveModelBehavior for ActiveModel {}
