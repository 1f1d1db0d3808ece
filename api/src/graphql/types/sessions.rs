//! The signed-in user, other users as others see them, and what signing in returns.

use super::{CareCentre, Doctor, Resident, load_doctor, load_user, loader};
use crate::auth::Viewer;
use crate::error::{AppError, AppResult};
use crate::graphql::enums::*;
use crate::graphql::loaders::*;
use crate::graphql::state;
use crate::ids::{Kind, encode};
use crate::services::centres;
use async_graphql::{ComplexObject, Context, ID, Object, SimpleObject};
use chrono::{DateTime, Utc};
use entities::user;

/// The signed-in user and what they reach.
pub struct ViewerInfo(pub Viewer);

#[Object(name = "Viewer")]
impl ViewerInfo {
    async fn user(&self, ctx: &Context<'_>) -> AppResult<User> {
        load_user(ctx, self.0.user_id).await?.ok_or(AppError::NotFound)
    }
    async fn role(&self) -> Role {
        self.0.role.into()
    }
    async fn display_name(&self) -> &str {
        &self.0.display_name
    }
    async fn email(&self) -> &str {
        &self.0.email
    }
    async fn locale(&self) -> &str {
        &self.0.locale
    }
    /// Centres the viewer works in or is attached to (relatives: their resident's centre).
    async fn care_centres(&self, ctx: &Context<'_>) -> AppResult<Vec<CareCentre>> {
        let state = state(ctx);
        Ok(centres::list(&state.db, &self.0).await?.into_iter().map(CareCentre).collect())
    }
    /// The doctor profile of a DOCTOR.
    async fn doctor(&self, ctx: &Context<'_>) -> AppResult<Option<Doctor>> {
        match self.0.doctor_id {
            Some(id) => load_doctor(ctx, id).await,
            None => Ok(None),
        }
    }
    /// A RELATIVE's residents (with current consent).
    async fn residents(&self, ctx: &Context<'_>) -> AppResult<Vec<Resident>> {
        let keys: Vec<ResidentById> = self.0.resident_ids.iter().copied().map(ResidentById).collect();
        let mut found: Vec<Resident> = loader(ctx).load_many(keys).await?.into_values().map(Resident).collect();
        found.sort_by(|a, b| a.0.full_name.cmp(&b.0.full_name));
        Ok(found)
    }
}

pub struct User(pub user::Model);

/// Another user as others see them: name and role only.
#[Object]
impl User {
    async fn id(&self) -> ID {
        encode(Kind::User, self.0.id)
    }
    async fn display_name(&self) -> &str {
        &self.0.display_name
    }
    async fn role(&self) -> Role {
        self.0.role.into()
    }
}

#[derive(SimpleObject)]
#[graphql(complex)]
pub struct AuthPayload {
    pub access_token: String,
    pub refresh_token: String,
    /// When the access token expires; refresh before.
    pub expires_at: DateTime<Utc>,
    #[graphql(skip)]
    pub viewer: Viewer,
}

#[ComplexObject]
impl AuthPayload {
    async fn viewer(&self) -> ViewerInfo {
        ViewerInfo(self.viewer.clone())
    }
}
