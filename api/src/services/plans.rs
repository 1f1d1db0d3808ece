//! Care plans: drafts by staff (and the GP), agreed by the coordinator with the resident and/or a
//! named relative, shared with relatives or not, acknowledged by relatives.
//!
//! Decisions:
//! - A draft without `carePlanId` is a new row, revision = max + 1 for the resident; editing names
//!   the draft and its `expectedVersion` (stale: `CONFLICT`). AGREED and SUPERSEDED versions are
//!   never edited (`VALIDATION` on `carePlanId`): the next draft is the next revision.
//! - A doctor of the centre who is not the resident's GP may not draft (`FORBIDDEN`).
//! - Agreeing supersedes the AGREED version before it in the same transaction, so exactly one
//!   version is in force. An acknowledgement is once per plan and relative (unique index).

use super::{access, check_version, optional_text, require_role, required_text, residents};
use crate::audit::{self, Action};
use crate::auth::Viewer;
use crate::error::{AppError, AppResult};
use crate::ids::new_id;
use chrono::{DateTime, Utc};
use entities::enums::{CarePlanStatus, Role};
use entities::{care_plan, care_plan_acknowledgement, resident, user};
use sea_orm::ActiveValue::Set;
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, IntoActiveModel, QueryFilter,
    QueryOrder, QuerySelect,
};
use serde_json::json;
use uuid::Uuid;

#[derive(Debug, Clone)]
pub struct Section {
    pub heading: String,
    pub text: String,
}

#[derive(Debug, Clone)]
pub struct DraftInput {
    pub resident_id: Uuid,
    /// The draft being edited, with the version the client saw; none starts a new draft.
    pub care_plan_id: Option<Uuid>,
    pub expected_version: Option<i32>,
    pub goals: String,
    pub sections: Vec<Section>,
}

fn sections_json(sections: &[Section]) -> AppResult<serde_json::Value> {
    if sections.len() > 30 {
        return Err(AppError::validation("sections", "At most 30 sections"));
    }
    let mut out = Vec::with_capacity(sections.len());
    for section in sections {
        out.push(json!({
            "heading": required_text("sections", &section.heading, 200)?,
            "text": optional_text("sections", Some(&section.text), 10_000)?.unwrap_or_default(),
        }));
    }
    Ok(serde_json::Value::Array(out))
}

/// Staff of the centre draft; the resident's GP contributes.
fn require_author(viewer: &Viewer, resident: &resident::Model) -> AppResult<()> {
    require_role(viewer, &[Role::Nurse, Role::Coordinator, Role::Doctor])?;
    if access::can_read_clinical(viewer, resident) { Ok(()) } else { Err(AppError::Forbidden) }
}

async fn next_revision(db: &impl ConnectionTrait, resident: Uuid) -> AppResult<i32> {
    let max: Option<i32> = care_plan::Entity::find()
        .select_only()
        .column_as(care_plan::Column::Revision.max(), "max")
        .filter(care_plan::Column::ResidentId.eq(resident))
        .into_tuple()
        .one(db)
        .await?
        .flatten();
    Ok(max.unwrap_or(0) + 1)
}

/// One care plan for `Query.node`, if it is among the plans the viewer may see of its resident.
pub async fn read(db: &DatabaseConnection, viewer: &Viewer, id: Uuid) -> AppResult<care_plan::Model> {
    let plan = care_plan::Entity::find_by_id(id).one(db).await?.ok_or(AppError::NotFound)?;
    let resident = residents::get(db, viewer, plan.resident_id, Action::Read).await?;
    let visible = match residents::care_plans(db, viewer, &resident).await {
        Err(AppError::NotFound) => Vec::new(),
        visible => visible?,
    };
    if !visible.iter().any(|p| p.id == plan.id) {
        viewer.denied(resident.id, Action::Read);
        return Err(AppError::NotFound);
    }
    // A care plan's fields are the resident's data, logged here once for all of them.
    viewer.read(resident.id);
    Ok(plan)
}

pub async fn save_draft(
    db: &DatabaseConnection,
    viewer: &Viewer,
    input: DraftInput,
    now: DateTime<Utc>,
) -> AppResult<care_plan::Model> {
    // Roles that never draft are FORBIDDEN before the lookup, so the answer reveals nothing.
    require_role(viewer, &[Role::Nurse, Role::Coordinator, Role::Doctor])?;
    let resident = residents::get(db, viewer, input.resident_id, Action::Write).await?;
    require_author(viewer, &resident)?;
    let goals = required_text("goals", &input.goals, 5000)?;
    let sections = sections_json(&input.sections)?;
    let txn = audit::begin(db).await?;
    let saved = match input.care_plan_id {
        Some(id) => {
            let plan = care_plan::Entity::find_by_id(id)
                .filter(care_plan::Column::ResidentId.eq(resident.id))
                .one(&*txn)
                .await?
                .ok_or(AppError::NotFound)?;
            if plan.status != CarePlanStatus::Draft {
                return Err(AppError::validation("carePlanId", "Only a draft can be edited; save a new draft instead"));
            }
            let expected = input.expected_version.ok_or_else(|| {
                AppError::validation("expectedVersion", "expectedVersion is required when editing a draft")
            })?;
            check_version(expected, plan.version)?;
            let version = plan.version;
            let mut row = plan.into_active_model();
            row.goals = Set(goals);
            row.sections = Set(sections);
            row.version = Set(version + 1);
            row.updated_at = Set(now);
            row.update(&*txn).await?
        }
        None => {
            care_plan::ActiveModel {
                id: Set(new_id()),
                resident_id: Set(resident.id),
                revision: Set(next_revision(&*txn, resident.id).await?),
                status: Set(CarePlanStatus::Draft),
                goals: Set(goals),
                sections: Set(sections),
                agreed_at: Set(None),
                agreed_with: Set(None),
                shared_with_relatives: Set(false),
                authored_by: Set(viewer.user_id),
                version: Set(1),
                created_at: Set(now),
                updated_at: Set(now),
            }
            .insert(&*txn)
            .await?
        }
    };
    txn.commit_write(viewer, Some(resident.id), now).await?;
    Ok(saved)
}

/// The coordinator agrees a draft; the plan agreed before it becomes SUPERSEDED.
pub async fn agree(
    db: &DatabaseConnection,
    viewer: &Viewer,
    id: Uuid,
    expected_version: i32,
    agreed_with: &str,
    shared_with_relatives: bool,
    now: DateTime<Utc>,
) -> AppResult<care_plan::Model> {
    require_role(viewer, &[Role::Coordinator])?;
    let agreed_with = required_text("agreedWith", agreed_with, 300)?;
    let plan = care_plan::Entity::find_by_id(id).one(db).await?.ok_or(AppError::NotFound)?;
    let resident = residents::get(db, viewer, plan.resident_id, Action::Write).await?;
    access::require_clinical(viewer, &resident)?;
    let txn = audit::begin(db).await?;
    let plan = care_plan::Entity::find_by_id(id).one(&*txn).await?.ok_or(AppError::NotFound)?;
    check_version(expected_version, plan.version)?;
    if plan.status != CarePlanStatus::Draft {
        return Err(AppError::validation("carePlanId", "Only a draft can be agreed"));
    }
    care_plan::Entity::update_many()
        .col_expr(care_plan::Column::Status, Expr::value(CarePlanStatus::Superseded))
        .col_expr(care_plan::Column::Version, Expr::col(care_plan::Column::Version).add(1))
        .col_expr(care_plan::Column::UpdatedAt, Expr::value(now))
        .filter(care_plan::Column::ResidentId.eq(resident.id))
        .filter(care_plan::Column::Status.eq(CarePlanStatus::Agreed))
        .exec(&*txn)
        .await?;
    let version = plan.version;
    let mut row = plan.into_active_model();
    row.status = Set(CarePlanStatus::Agreed);
    row.agreed_at = Set(Some(now));
    row.agreed_with = Set(Some(agreed_with));
    row.shared_with_relatives = Set(shared_with_relatives);
    row.version = Set(version + 1);
    row.updated_at = Set(now);
    let saved = row.update(&*txn).await?;
    txn.commit_write(viewer, Some(resident.id), now).await?;
    Ok(saved)
}

/// A relative confirms they have read an agreed, shared plan of their resident. Twice is harmless.
pub async fn acknowledge(
    db: &DatabaseConnection,
    viewer: &Viewer,
    id: Uuid,
    now: DateTime<Utc>,
) -> AppResult<care_plan::Model> {
    require_role(viewer, &[Role::Relative])?;
    let plan = care_plan::Entity::find_by_id(id).one(db).await?.ok_or(AppError::NotFound)?;
    let resident = residents::get(db, viewer, plan.resident_id, Action::Write).await?;
    let visible = residents::care_plans(db, viewer, &resident).await?;
    if !visible.iter().any(|p| p.id == plan.id && p.status == CarePlanStatus::Agreed) {
        return Err(AppError::NotFound);
    }
    let txn = audit::begin(db).await?;
    let exists = care_plan_acknowledgement::Entity::find()
        .filter(care_plan_acknowledgement::Column::CarePlanId.eq(plan.id))
        .filter(care_plan_acknowledgement::Column::RelativeUserId.eq(viewer.user_id))
        .one(&*txn)
        .await?
        .is_some();
    if !exists {
        care_plan_acknowledgement::ActiveModel {
            id: Set(new_id()),
            care_plan_id: Set(plan.id),
            relative_user_id: Set(viewer.user_id),
            acknowledged_at: Set(now),
            created_at: Set(now),
            updated_at: Set(now),
        }
        .insert(&*txn)
        .await?;
    }
    txn.commit_write(viewer, Some(resident.id), now).await?;
    Ok(plan)
}

/// Who acknowledged a plan and when: staff see all; a relative sees only their own.
pub async fn acknowledgements(
    db: &impl ConnectionTrait,
    viewer: &Viewer,
    plan: Uuid,
) -> AppResult<Vec<(care_plan_acknowledgement::Model, Option<user::Model>)>> {
    let mut query =
        care_plan_acknowledgement::Entity::find().filter(care_plan_acknowledgement::Column::CarePlanId.eq(plan));
    if viewer.role == Role::Relative {
        query = query.filter(care_plan_acknowledgement::Column::RelativeUserId.eq(viewer.user_id));
    }
    Ok(query
        .find_also_related(user::Entity)
        .order_by_asc(care_plan_acknowledgement::Column::AcknowledgedAt)
        .all(db)
        .await?)
}
