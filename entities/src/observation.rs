//! One set of vital signs with its NEWS2; never edited or deleted.

use crate::enums::{Consciousness, News2Risk};
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "observations")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub resident_id: Uuid,
    pub recorded_at: DateTimeUtc,
    pub received_at: DateTimeUtc,
    pub recorded_by: Uuid,
    pub respiration_rate: Option<i32>,
    pub oxygen_saturation: Option<i32>,
    pub on_supplemental_oxygen: Option<bool>,
    pub systolic_bp: Option<i32>,
    pub diastolic_bp: Option<i32>,
    pub pulse: Option<i32>,
    pub consciousness: Option<Consciousness>,
    pub temperature: Option<f64>,
    pub blood_glucose: Option<f64>,
    pub weight_kg: Option<f64>,
    pub pain_score: Option<i32>,
    pub note: Option<String>,
    pub news2_total: i32,
    pub news2_risk: News2Risk,
    pub news2_complete: bool,
    pub news2_any_single_three: bool,
    pub client_mutation_id: Uuid,
    pub payload_hash: String,
    pub entered_in_error: bool,
    pub entered_in_error_reason: Option<String>,
    pub entered_in_error_at: Option<DateTimeUtc>,
    pub entered_in_error_by: Option<Uuid>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(belongs_to = "super::resident::Entity", from = "Column::ResidentId", to = "super::resident::Column::Id")]
    Resident,
    #[sea_orm(belongs_to = "super::user::Entity", from = "Column::RecordedBy", to = "super::user::Column::Id")]
    RecordedBy,
    #[sea_orm(belongs_to = "super::user::Entity", from = "Column::EnteredInErrorBy", to = "super::user::Column::Id")]
    EnteredInErrorBy,
}

impl Related<super::resident::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Resident.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
