//! Who looked at a resident's record: the access log as the coordinator, ADMIN and the
//! resident's relative read it (DESIGN §4; the Danish rule that the record shows who looked).

use super::{Page, Paged, require_role};
use crate::auth::Viewer;
use crate::error::AppResult;
use entities::enums::Role;
use entities::{audit_event, resident, user};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect};

/// Newest first. The caller holds a resident the viewer may see ([`super::residents::get`]).
pub async fn for_resident(
    db: &impl ConnectionTrait,
    viewer: &Viewer,
    resident: &resident::Model,
    page: Page,
) -> AppResult<Paged<(audit_event::Model, Option<user::Model>)>> {
    require_role(viewer, &[Role::Coordinator, Role::Admin, Role::Relative])?;
    let query = audit_event::Entity::find().filter(audit_event::Column::ResidentId.eq(resident.id));
    let total = query.clone().count(db).await?;
    let rows = query
        .find_also_related(user::Entity)
        .order_by_desc(audit_event::Column::Seq)
        .offset(page.offset)
        .limit(page.limit)
        .all(db)
        .await?;
    Ok(Paged { rows, total, page })
}
