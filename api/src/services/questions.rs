//! Questions from staff to the doctor, and the doctor's queue (DESIGN §5).

use super::residents::paginate;
use super::{Page, Paged, access};
use crate::auth::Viewer;
use crate::error::{AppError, AppResult};
use chrono::{DateTime, Utc};
use entities::enums::{QuestionPriority, QuestionStatus, Role};
use entities::question;
use sea_orm::sea_query::{Expr, Order};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};
use uuid::Uuid;

pub async fn get(db: &impl ConnectionTrait, viewer: &Viewer, id: Uuid) -> AppResult<question::Model> {
    question::Entity::find_by_id(id).filter(access::question_scope(viewer)).one(db).await?.ok_or(AppError::NotFound)
}

/// Still open after its deadline.
pub fn is_overdue(question: &question::Model, now: DateTime<Utc>) -> bool {
    question.status == QuestionStatus::Open && question.due_at < now
}

/// The viewing doctor's open questions: overdue first, then URGENT before ROUTINE, then by due time.
pub async fn doctor_queue(
    db: &impl ConnectionTrait,
    viewer: &Viewer,
    now: DateTime<Utc>,
    page: Page,
) -> AppResult<Paged<question::Model>> {
    if viewer.role != Role::Doctor {
        return Err(AppError::Forbidden);
    }
    let overdue_first: Expr = Expr::case(question::Column::DueAt.lt(now), 0).finally(1).into();
    let urgent_first: Expr = Expr::case(question::Column::Priority.eq(QuestionPriority::Urgent), 0).finally(1).into();
    let query = question::Entity::find()
        .filter(access::question_scope(viewer))
        .filter(question::Column::Status.eq(QuestionStatus::Open))
        .order_by(overdue_first, Order::Asc)
        .order_by(urgent_first, Order::Asc)
        .order_by_asc(question::Column::DueAt)
        .order_by_asc(question::Column::Id);
    paginate(db, query, page).await
}
