//! Care centres and who may see their internal details (their agreements: [`super::terms`]).

use super::access;
use crate::auth::Viewer;
use crate::error::{AppError, AppResult};
use entities::care_centre;
use entities::enums::Role;
use sea_orm::{ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};
use uuid::Uuid;

pub async fn list(db: &impl ConnectionTrait, viewer: &Viewer) -> AppResult<Vec<care_centre::Model>> {
    Ok(care_centre::Entity::find()
        .filter(access::centre_scope(viewer))
        .order_by_asc(care_centre::Column::Name)
        .all(db)
        .await?)
}

pub async fn get(db: &impl ConnectionTrait, viewer: &Viewer, id: Uuid) -> AppResult<care_centre::Model> {
    care_centre::Entity::find_by_id(id).filter(access::centre_scope(viewer)).one(db).await?.ok_or(AppError::NotFound)
}

/// Relatives see a centre's name and contact details only; its internal terms are not theirs.
pub fn require_internal(viewer: &Viewer) -> AppResult<()> {
    if viewer.role == Role::Relative { Err(AppError::NotFound) } else { Ok(()) }
}
