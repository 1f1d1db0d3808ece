//! Observations and their NEWS2 score.

use super::{Resident, User, load_user, visible_resident};
use crate::error::AppResult;
use crate::graphql::authed;
use crate::graphql::enums::*;
use crate::ids::{Kind, encode};
use async_graphql::{Context, ID, Object, SimpleObject};
use chrono::{DateTime, Utc};
use entities::observation;

#[derive(SimpleObject)]
pub struct News2Score {
    pub total: i32,
    pub risk_level: News2Risk,
    pub complete: bool,
    pub any_single_parameter_three: bool,
}

pub struct Observation(pub observation::Model);

#[Object]
impl Observation {
    // `pub(super)`: the `Node` interface in `types/mod.rs` calls it.
    pub(super) async fn id(&self) -> ID {
        encode(Kind::Observation, self.0.id)
    }
    async fn resident(&self, ctx: &Context<'_>) -> AppResult<Option<Resident>> {
        let (_, viewer) = authed(ctx)?;
        visible_resident(ctx, viewer, self.0.resident_id).await
    }
    async fn recorded_at(&self) -> DateTime<Utc> {
        self.0.recorded_at
    }
    async fn received_at(&self) -> DateTime<Utc> {
        self.0.received_at
    }
    async fn recorded_by(&self, ctx: &Context<'_>) -> AppResult<Option<User>> {
        load_user(ctx, self.0.recorded_by).await
    }
    async fn respiration_rate(&self) -> Option<i32> {
        self.0.respiration_rate
    }
    async fn oxygen_saturation(&self) -> Option<i32> {
        self.0.oxygen_saturation
    }
    async fn on_supplemental_oxygen(&self) -> Option<bool> {
        self.0.on_supplemental_oxygen
    }
    async fn systolic_bp(&self) -> Option<i32> {
        self.0.systolic_bp
    }
    async fn diastolic_bp(&self) -> Option<i32> {
        self.0.diastolic_bp
    }
    async fn pulse(&self) -> Option<i32> {
        self.0.pulse
    }
    async fn consciousness(&self) -> Option<Consciousness> {
        self.0.consciousness.map(Into::into)
    }
    async fn temperature(&self) -> Option<f64> {
        self.0.temperature
    }
    async fn blood_glucose(&self) -> Option<f64> {
        self.0.blood_glucose
    }
    async fn weight_kg(&self) -> Option<f64> {
        self.0.weight_kg
    }
    async fn pain_score(&self) -> Option<i32> {
        self.0.pain_score
    }
    async fn note(&self) -> Option<&str> {
        self.0.note.as_deref()
    }
    async fn news2(&self) -> Option<News2Score> {
        Some(News2Score {
            total: self.0.news2_total,
            risk_level: self.0.news2_risk.into(),
            complete: self.0.news2_complete,
            any_single_parameter_three: self.0.news2_any_single_three,
        })
    }
    async fn entered_in_error(&self) -> bool {
        self.0.entered_in_error
    }
    async fn entered_in_error_reason(&self) -> Option<&str> {
        self.0.entered_in_error_reason.as_deref()
    }
}
