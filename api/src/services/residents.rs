//! Residents and their record. Callers hold a resident the viewer can see ([`get`]); clinical
//! reads take `&Clinical`, a proof that [`access::require_clinical`] passed.

use super::{Page, Paged, access};
use crate::audit::Action;
use crate::auth::Viewer;
use crate::error::{AppError, AppResult};
use chrono::{DateTime, Duration, Months, NaiveDate, Utc};
use entities::enums::{News2Risk, ResidentStatus, Role};
use entities::{
    care_centre, care_plan, medication, medication_review, observation, question, relative_link, resident,
    resuscitation_decision, user,
};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, QueryTrait, Select,
};
use uuid::Uuid;

/// A resident whose clinical record the viewer may read.
pub struct Clinical<'a>(&'a resident::Model);

impl<'a> Clinical<'a> {
    /// A refusal is logged as a refused read of the resident (`READ`/`DENIED`), never as a read.
    pub fn check(viewer: &Viewer, resident: &'a resident::Model) -> AppResult<Self> {
        access::require_clinical(viewer, resident).inspect_err(|_| viewer.denied(resident.id, Action::Read))?;
        Ok(Self(resident))
    }

    pub fn id(&self) -> Uuid {
        self.0.id
    }
}

/// A resident on the viewer's roster, looked up to `action` (read or write) it. A refusal is in
/// the access log (`DENIED` with that action, for a resident that exists); the lookup itself is
/// not a read: the fields the answer carries log theirs ([`RESIDENT_DATA`](access::RESIDENT_DATA)),
/// a write logs its own row.
pub async fn get(db: &impl ConnectionTrait, viewer: &Viewer, id: Uuid, action: Action) -> AppResult<resident::Model> {
    match resident::Entity::find_by_id(id).filter(access::roster_scope(viewer)).one(db).await? {
        Some(resident) => Ok(resident),
        None => {
            if resident::Entity::find_by_id(id).one(db).await?.is_some() {
                viewer.denied(id, action);
            }
            Err(AppError::NotFound)
        }
    }
}

/// What a write names in its input, through which it reaches a resident.
#[derive(Debug, Clone, Copy)]
pub enum Target {
    Resident(Uuid),
    Observation(Uuid),
    Medication(Uuid),
    CarePlan(Uuid),
    Question(Uuid),
}

impl Target {
    /// The resident the target is about, if it exists.
    async fn resident(self, db: &impl ConnectionTrait) -> AppResult<Option<Uuid>> {
        Ok(match self {
            Target::Resident(id) => resident::Entity::find_by_id(id).one(db).await?.map(|r| r.id),
            Target::Observation(id) => observation::Entity::find_by_id(id).one(db).await?.map(|o| o.resident_id),
            Target::Medication(id) => medication::Entity::find_by_id(id).one(db).await?.map(|m| m.resident_id),
            Target::CarePlan(id) => care_plan::Entity::find_by_id(id).one(db).await?.map(|p| p.resident_id),
            Target::Question(id) => question::Entity::find_by_id(id).one(db).await?.and_then(|q| q.resident_id),
        })
    }
}

/// Logs a write on a resident refused with `FORBIDDEN` or `NOT_FOUND` (for the role before any
/// lookup, or for this resident) as `WRITE`/`DENIED`, on the viewer's trail: it is flushed before
/// the answer leaves, although the write's transaction is not committed. Only for a resident that
/// exists; the answer is `result`, unchanged, so it tells nothing more than before.
pub async fn refused_write<T>(
    db: &impl ConnectionTrait,
    viewer: &Viewer,
    target: Option<Target>,
    result: AppResult<T>,
) -> AppResult<T> {
    if let (Err(AppError::Forbidden | AppError::NotFound), Some(target)) = (&result, target)
        && let Some(resident) = target.resident(db).await?
    {
        viewer.denied(resident, Action::Write);
    }
    result
}

#[derive(Debug, Default)]
pub struct ResidentFilter {
    pub search: Option<String>,
    pub statuses: Vec<ResidentStatus>,
    /// Only residents whose GP is the viewing doctor.
    pub my_gp_residents: bool,
}

/// The roster of one centre, by name. A centre outside the viewer's scope is `NOT_FOUND`.
pub async fn list(
    db: &impl ConnectionTrait,
    viewer: &Viewer,
    centre: Uuid,
    filter: &ResidentFilter,
    page: Page,
) -> AppResult<Paged<resident::Model>> {
    if !access::can_see_centre(viewer, centre) {
        return Err(AppError::NotFound);
    }
    if viewer.role == Role::Admin {
        care_centre::Entity::find_by_id(centre).one(db).await?.ok_or(AppError::NotFound)?;
    }
    let mut query =
        resident::Entity::find().filter(access::roster_scope(viewer)).filter(resident::Column::CareCentreId.eq(centre));
    if let Some(term) = filter.search.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
        if term.chars().count() > 100 {
            return Err(AppError::validation("search", "search must be at most 100 characters"));
        }
        query = query.filter(resident::Column::SearchText.contains(term.to_lowercase()));
    }
    if !filter.statuses.is_empty() {
        query = query.filter(resident::Column::Status.is_in(filter.statuses.clone()));
    }
    if filter.my_gp_residents {
        query = query.filter(resident::Column::GpDoctorId.eq(viewer.doctor_id));
    }
    let paged =
        paginate(db, query.order_by_asc(resident::Column::FullName).order_by_asc(resident::Column::Id), page).await?;
    Ok(paged)
}

/// Runs a count and a page of `query`.
pub async fn paginate<E>(db: &impl ConnectionTrait, query: Select<E>, page: Page) -> AppResult<Paged<E::Model>>
where
    E: EntityTrait,
    E::Model: Sync,
{
    // `Select::count` would count over the whole query as a subquery, sorted and with every
    // column (SQLite then reads and sorts full rows); the count needs neither.
    let mut count = query.clone().select_only().column_as(Expr::cust("COUNT(*)"), "total");
    QueryTrait::query(&mut count).clear_order_by();
    let total: Option<i64> = count.into_tuple().one(db).await?;
    let total = total.and_then(|total| u64::try_from(total).ok()).unwrap_or_default();
    let rows = if page.limit == 0 { Vec::new() } else { query.offset(page.offset).limit(page.limit).all(db).await? };
    Ok(Paged { rows, total, page })
}

/// Observations recorded in `[from, to)`, newest first, including those entered in error (flagged).
pub async fn observations(
    db: &impl ConnectionTrait,
    resident: &Clinical<'_>,
    from: Option<DateTime<Utc>>,
    to: Option<DateTime<Utc>>,
    page: Page,
) -> AppResult<Paged<observation::Model>> {
    let mut query = observation::Entity::find().filter(observation::Column::ResidentId.eq(resident.id()));
    if let Some(from) = super::time_bound("from", from)? {
        query = query.filter(observation::Column::RecordedAt.gte(from));
    }
    if let Some(to) = super::time_bound("to", to)? {
        query = query.filter(observation::Column::RecordedAt.lt(to));
    }
    let query = query.order_by_desc(observation::Column::RecordedAt).order_by_desc(observation::Column::Id);
    paginate(db, query, page).await
}

/// One point of the NEWS2 trend chart.
pub struct TrendPoint {
    pub recorded_at: DateTime<Utc>,
    pub total: i32,
    pub risk: News2Risk,
    pub complete: bool,
}

/// NEWS2 of every valid observation of the last `days` days, oldest first (for the trend chart).
/// Reads only the four columns a point needs: a month is a hundred or more rows.
pub async fn news2_trend(
    db: &impl ConnectionTrait,
    resident: &Clinical<'_>,
    days: i32,
    now: DateTime<Utc>,
) -> AppResult<Vec<TrendPoint>> {
    if !(1..=366).contains(&days) {
        return Err(AppError::validation("days", "days must be between 1 and 366"));
    }
    let rows: Vec<(DateTime<Utc>, i32, News2Risk, bool)> = observation::Entity::find()
        .select_only()
        .columns([
            observation::Column::RecordedAt,
            observation::Column::News2Total,
            observation::Column::News2Risk,
            observation::Column::News2Complete,
        ])
        .filter(observation::Column::ResidentId.eq(resident.id()))
        .filter(observation::Column::EnteredInError.eq(false))
        .filter(observation::Column::RecordedAt.gte(now - Duration::days(days.into())))
        .order_by_asc(observation::Column::RecordedAt)
        .into_tuple()
        .all(db)
        .await?;
    Ok(rows
        .into_iter()
        .map(|(recorded_at, total, risk, complete)| TrendPoint { recorded_at, total, risk, complete })
        .collect())
}

/// Polypharmacy level by count of active medications (DESIGN §5).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Polypharmacy {
    None,
    SixPlus,
    FifteenPlus,
}

impl Polypharmacy {
    pub fn from_active_count(count: usize) -> Self {
        match count {
            15.. => Self::FifteenPlus,
            6.. => Self::SixPlus,
            _ => Self::None,
        }
    }
}

/// Active today: started and not yet stopped (a medication stopped today is no longer active).
pub fn is_active(medication: &medication::Model, today: NaiveDate) -> bool {
    medication.started_on <= today && medication.stopped_on.is_none_or(|stopped| stopped > today)
}

pub async fn medications(
    db: &impl ConnectionTrait,
    resident: &Clinical<'_>,
    include_stopped: bool,
    today: NaiveDate,
) -> AppResult<Vec<medication::Model>> {
    let all = medication::Entity::find()
        .filter(medication::Column::ResidentId.eq(resident.id()))
        .order_by_asc(medication::Column::Name)
        .all(db)
        .await?;
    Ok(all.into_iter().filter(|m| include_stopped || is_active(m, today)).collect())
}

/// A review is due for a resident with 6+ active medications and no review in the last 12
/// months or since moving in (whichever is later).
pub async fn medication_review_due(
    db: &impl ConnectionTrait,
    resident: &Clinical<'_>,
    moved_in_on: NaiveDate,
    active_count: usize,
    now: DateTime<Utc>,
) -> AppResult<bool> {
    if Polypharmacy::from_active_count(active_count) == Polypharmacy::None {
        return Ok(false);
    }
    let year_ago = now.checked_sub_months(Months::new(12)).unwrap_or(now);
    let moved_in = moved_in_on.and_hms_opt(0, 0, 0).map(|t| t.and_utc()).unwrap_or(year_ago);
    let since = year_ago.max(moved_in);
    let recent = medication_review::Entity::find()
        .filter(medication_review::Column::ResidentId.eq(resident.id()))
        .filter(medication_review::Column::ReviewedAt.gte(since))
        .count(db)
        .await?;
    Ok(recent == 0)
}

pub async fn medication_reviews(
    db: &impl ConnectionTrait,
    resident: &Clinical<'_>,
) -> AppResult<Vec<medication_review::Model>> {
    Ok(medication_review::Entity::find()
        .filter(medication_review::Column::ResidentId.eq(resident.id()))
        .order_by_desc(medication_review::Column::ReviewedAt)
        .all(db)
        .await?)
}

/// Resuscitation decisions, newest first; the first is the one in force.
pub async fn resuscitation_history(
    db: &impl ConnectionTrait,
    resident: &Clinical<'_>,
) -> AppResult<Vec<resuscitation_decision::Model>> {
    Ok(resuscitation_decision::Entity::find()
        .filter(resuscitation_decision::Column::ResidentId.eq(resident.id()))
        .order_by_desc(resuscitation_decision::Column::DecidedAt)
        .order_by_desc(resuscitation_decision::Column::Id)
        .all(db)
        .await?)
}

/// Care plan versions the viewer may read, newest revision first.
pub async fn care_plans(
    db: &impl ConnectionTrait,
    viewer: &Viewer,
    resident: &resident::Model,
) -> AppResult<Vec<care_plan::Model>> {
    // Relatives read the versions shared with them; staff and the GP read all; no one else any.
    if viewer.role != Role::Relative && !access::can_read_clinical(viewer, resident) {
        return Err(AppError::NotFound);
    }
    Ok(care_plan::Entity::find()
        .filter(care_plan::Column::ResidentId.eq(resident.id))
        .filter(access::care_plan_scope(viewer, resident))
        .order_by_desc(care_plan::Column::Revision)
        .all(db)
        .await?)
}

/// The relatives linked to a resident, with their user; staff of the centre and the GP only.
pub async fn relatives(
    db: &impl ConnectionTrait,
    resident: &Clinical<'_>,
) -> AppResult<Vec<(relative_link::Model, Option<user::Model>)>> {
    Ok(relative_link::Entity::find()
        .filter(relative_link::Column::ResidentId.eq(resident.id()))
        .find_also_related(user::Entity)
        .order_by_asc(relative_link::Column::ConsentRecordedAt)
        .all(db)
        .await?)
}

/// Questions about the resident that the viewer may see, newest first.
pub async fn questions(
    db: &impl ConnectionTrait,
    viewer: &Viewer,
    resident: &resident::Model,
    page: Page,
) -> AppResult<Paged<question::Model>> {
    if !matches!(viewer.role, Role::Nurse | Role::Coordinator | Role::Doctor) {
        return Err(AppError::NotFound);
    }
    let query = question::Entity::find()
        .filter(question::Column::ResidentId.eq(resident.id))
        .filter(access::question_scope(viewer))
        .order_by_desc(question::Column::AskedAt);
    paginate(db, query, page).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn polypharmacy_thresholds() {
        assert_eq!(Polypharmacy::from_active_count(5), Polypharmacy::None);
        assert_eq!(Polypharmacy::from_active_count(6), Polypharmacy::SixPlus);
        assert_eq!(Polypharmacy::from_active_count(14), Polypharmacy::SixPlus);
        assert_eq!(Polypharmacy::from_active_count(15), Polypharmacy::FifteenPlus);
    }
}
