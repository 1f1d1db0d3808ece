//! Care plans and relatives' acknowledgements of them.

use super::User;
use crate::error::AppResult;
use crate::graphql::authed;
use crate::graphql::enums::*;
use crate::ids::{Kind, encode};
use async_graphql::{Context, ID, Object, SimpleObject};
use chrono::{DateTime, Utc};
use entities::care_plan;

#[derive(SimpleObject, serde::Deserialize)]
pub struct CarePlanSection {
    pub heading: String,
    pub text: String,
}

pub struct CarePlan(pub care_plan::Model);

#[Object]
impl CarePlan {
    // `pub(super)`: the `Node` interface in `types/mod.rs` calls it.
    pub(super) async fn id(&self) -> ID {
        encode(Kind::CarePlan, self.0.id)
    }
    async fn revision(&self) -> i32 {
        self.0.revision
    }
    async fn version(&self) -> i32 {
        self.0.version
    }
    async fn status(&self) -> CarePlanStatus {
        self.0.status.into()
    }
    async fn goals(&self) -> &str {
        &self.0.goals
    }
    async fn sections(&self) -> Vec<CarePlanSection> {
        serde_json::from_value(self.0.sections.clone()).unwrap_or_default()
    }
    async fn agreed_at(&self) -> Option<DateTime<Utc>> {
        self.0.agreed_at
    }
    /// With whom it was agreed (the resident and/or a named relative).
    async fn agreed_with(&self) -> Option<&str> {
        self.0.agreed_with.as_deref()
    }
    async fn shared_with_relatives(&self) -> bool {
        self.0.shared_with_relatives
    }
    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }
    /// Whether the viewing relative has confirmed reading this version.
    async fn acknowledged_by_me(&self, ctx: &Context<'_>) -> AppResult<bool> {
        let (state, viewer) = authed(ctx)?;
        let mine = crate::services::plans::acknowledgements(&state.db, viewer, self.0.id).await?;
        Ok(mine.iter().any(|(a, _)| a.relative_user_id == viewer.user_id))
    }
    /// Relatives who confirmed reading this version (a relative sees only their own).
    async fn acknowledgements(&self, ctx: &Context<'_>) -> AppResult<Vec<CarePlanAcknowledgement>> {
        let (state, viewer) = authed(ctx)?;
        let rows = crate::services::plans::acknowledgements(&state.db, viewer, self.0.id).await?;
        Ok(rows
            .into_iter()
            .map(|(a, user)| CarePlanAcknowledgement { acknowledged_at: a.acknowledged_at, relative: user.map(User) })
            .collect())
    }
}

#[derive(SimpleObject)]
pub struct CarePlanAcknowledgement {
    pub relative: Option<User>,
    pub acknowledged_at: DateTime<Utc>,
}
