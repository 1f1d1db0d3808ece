//! One topic on the agenda of a meeting.

use crate::enums::AgendaTopic;
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "agenda_items")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub meeting_id: Uuid,
    pub topic: AgendaTopic,
    pub title: String,
    pub description: String,
    pub resident_id: Option<Uuid>,
    pub proposed_by: Uuid,
    pub source_question_id: Option<Uuid>,
    pub added_after_deadline: bool,
    pub outcome: Option<String>,
    pub position: i32,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(belongs_to = "super::meeting::Entity", from = "Column::MeetingId", to = "super::meeting::Column::Id")]
    Meeting,
    #[sea_orm(belongs_to = "super::resident::Entity", from = "Column::ResidentId", to = "super::resident::Column::Id")]
    Resident,
    #[sea_orm(belongs_to = "super::user::Entity", from = "Column::ProposedBy", to = "super::user::Column::Id")]
    User,
    #[sea_orm(
        belongs_to = "super::question::Entity",
        from = "Column::SourceQuestionId",
        to = "super::question::Column::Id"
    )]
    Question,
}

impl Related<super::meeting::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Meeting.def()
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

impl Related<super::question::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Question.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
