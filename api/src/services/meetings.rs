//! Meetings and their agendas.

use super::residents::paginate;
use super::{Page, Paged, access};
use crate::auth::Viewer;
use crate::error::{AppError, AppResult};
use chrono::{DateTime, Utc};
use entities::meeting;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};
use uuid::Uuid;

pub async fn get(db: &impl ConnectionTrait, viewer: &Viewer, id: Uuid) -> AppResult<meeting::Model> {
    meeting::Entity::find_by_id(id).filter(access::meeting_scope(viewer)).one(db).await?.ok_or(AppError::NotFound)
}

/// Meetings starting in `[from, to)`, earliest first, optionally of one centre.
pub async fn list(
    db: &impl ConnectionTrait,
    viewer: &Viewer,
    centre: Option<Uuid>,
    from: Option<DateTime<Utc>>,
    to: Option<DateTime<Utc>>,
    page: Page,
) -> AppResult<Paged<meeting::Model>> {
    let mut query = meeting::Entity::find().filter(access::meeting_scope(viewer));
    if let Some(centre) = centre {
        if !viewer.serves_centre(centre) && viewer.role != entities::enums::Role::Relative {
            return Err(AppError::NotFound);
        }
        query = query.filter(meeting::Column::CareCentreId.eq(centre));
    }
    if let Some(from) = from {
        query = query.filter(meeting::Column::StartsAt.gte(from));
    }
    if let Some(to) = to {
        query = query.filter(meeting::Column::StartsAt.lt(to));
    }
    let query = query.order_by_asc(meeting::Column::StartsAt).order_by_asc(meeting::Column::Id);
    paginate(db, query, page).await
}
