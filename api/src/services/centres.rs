//! Care centres, their doctors and their collaboration agreements.

use super::access;
use crate::auth::Viewer;
use crate::error::{AppError, AppResult};
use entities::enums::{AgreementStatus, Role};
use entities::{care_centre, collaboration_agreement};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};
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

/// The agreements in force (AGREED) at a centre, one per attached doctor, newest first.
pub async fn current_agreements(
    db: &impl ConnectionTrait,
    centre: Uuid,
) -> AppResult<Vec<collaboration_agreement::Model>> {
    Ok(collaboration_agreement::Entity::find()
        .filter(collaboration_agreement::Column::CareCentreId.eq(centre))
        .filter(collaboration_agreement::Column::Status.eq(AgreementStatus::Agreed))
        .order_by_desc(collaboration_agreement::Column::AgreedAt)
        .all(db)
        .await?)
}
