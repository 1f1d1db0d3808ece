//! A relative confirming they have read an agreed care plan.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "care_plan_acknowledgements")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub care_plan_id: Uuid,
    pub relative_user_id: Uuid,
    pub acknowledged_at: DateTimeUtc,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::care_plan::Entity",
        from = "Column::CarePlanId",
        to = "super::care_plan::Column::Id"
    )]
    CarePlan,
    #[sea_orm(belongs_to = "super::user::Entity", from = "Column::RelativeUserId", to = "super::user::Column::Id")]
    User,
}

impl Related<super::care_plan::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::CarePlan.def()
    }
}

impl Related<super::user::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::User.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
