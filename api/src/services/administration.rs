//! ADMIN: care centres, accounts, memberships and doctor attachments (every other role is
//! `FORBIDDEN`, checked before any lookup). Ending a membership or an attachment, or deactivating
//! an account, ends the access on the next request: the viewer's scope is read from the
//! database on every request. Each write is one transaction; nothing is stored when it is refused.

use super::{optional_text, require_role, required_text};
use crate::auth::{Viewer, password};
use crate::error::{AppError, AppResult};
use crate::events::{Event, Events};
use crate::ids::new_id;
use crate::services::sessions;
use chrono::{DateTime, SubsecRound, Utc};
use entities::enums::Role;
use entities::{care_centre, doctor, doctor_attachment, staff_membership, user};
use sea_orm::ActiveValue::Set;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, IntoActiveModel, QueryFilter,
    SqlErr,
};
use uuid::Uuid;

fn admin(viewer: &Viewer) -> AppResult<()> {
    require_role(viewer, &[Role::Admin])
}

pub struct CentreInput {
    pub name: String,
    pub municipality: String,
    pub address: String,
    pub phone: String,
    pub hotline_phone: String,
    pub weekly_advisory_minutes: i32,
}

pub async fn create_care_centre(
    db: &DatabaseConnection,
    viewer: &Viewer,
    input: CentreInput,
    now: DateTime<Utc>,
) -> AppResult<care_centre::Model> {
    admin(viewer)?;
    if !(0..=2400).contains(&input.weekly_advisory_minutes) {
        return Err(AppError::validation("weeklyAdvisoryMinutes", "weeklyAdvisoryMinutes must be 0 to 2400"));
    }
    Ok(care_centre::ActiveModel {
        id: Set(new_id()),
        name: Set(required_text("name", &input.name, 200)?),
        municipality: Set(required_text("municipality", &input.municipality, 100)?),
        address: Set(required_text("address", &input.address, 300)?),
        phone: Set(required_text("phone", &input.phone, 40)?),
        hotline_phone: Set(required_text("hotlinePhone", &input.hotline_phone, 40)?),
        weekly_advisory_minutes: Set(input.weekly_advisory_minutes),
        version: Set(1),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(db)
    .await?)
}

pub struct DoctorProfile {
    pub authorisation_id: String,
    pub practice_name: String,
    pub phone: String,
}

pub struct UserInput {
    pub email: String,
    pub display_name: String,
    pub role: Role,
    pub password: String,
    pub locale: Option<String>,
    /// Required for DOCTOR, refused for other roles.
    pub doctor: Option<DoctorProfile>,
}

/// A new account (and, for a DOCTOR, its doctor profile, in the same transaction).
///
/// Emails are stored lower-case, so uniqueness is case-insensitive (`CONFLICT` for a taken one,
/// also when two requests race). RELATIVE accounts are refused: relatives join by invitation,
/// which records their consent. Passwords need at least 12 characters.
pub async fn create_user(
    db: &DatabaseConnection,
    viewer: &Viewer,
    input: UserInput,
    now: DateTime<Utc>,
) -> AppResult<(user::Model, Option<doctor::Model>)> {
    admin(viewer)?;
    let email = required_text("email", &input.email, 254)?.to_lowercase();
    if !super::relatives::valid_email(&email) {
        return Err(AppError::validation("email", "Not an email address"));
    }
    let display_name = required_text("displayName", &input.display_name, 200)?;
    if input.role == Role::Relative {
        return Err(AppError::validation("role", "Relatives join by invitation (inviteRelative)"));
    }
    let locale = optional_text("locale", input.locale.as_deref(), 5)?.unwrap_or_else(|| "da".into());
    if !matches!(locale.as_str(), "da" | "en") {
        return Err(AppError::validation("locale", "locale is da or en"));
    }
    sessions::check_password("password", &input.password)?;
    let profile = match (input.role, input.doctor) {
        (Role::Doctor, Some(profile)) => Some((
            required_text("doctor.authorisationId", &profile.authorisation_id, 20)?,
            required_text("doctor.practiceName", &profile.practice_name, 200)?,
            required_text("doctor.phone", &profile.phone, 40)?,
        )),
        (Role::Doctor, None) => return Err(AppError::validation("doctor", "A DOCTOR needs a doctor profile")),
        (_, Some(_)) => return Err(AppError::validation("doctor", "Only a DOCTOR has a doctor profile")),
        (_, None) => None,
    };
    let taken = || AppError::Conflict("An account with that email exists".into());
    if user::Entity::find().filter(user::Column::Email.eq(&email)).one(db).await?.is_some() {
        return Err(taken());
    }
    let hash = password::hash_password(input.password).await?;
    let txn = crate::audit::begin(db).await?;
    let inserted = user::ActiveModel {
        id: Set(new_id()),
        email: Set(email),
        password_hash: Set(hash),
        display_name: Set(display_name),
        role: Set(input.role),
        locale: Set(locale),
        active: Set(true),
        // Tokens run on the real clock (whole seconds), not on the domain clock.
        tokens_valid_after: Set(Utc::now().trunc_subsecs(0)),
        version: Set(1),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(&*txn)
    .await;
    let user = match inserted {
        Ok(user) => user,
        Err(err) if matches!(err.sql_err(), Some(SqlErr::UniqueConstraintViolation(_))) => return Err(taken()),
        Err(err) => return Err(err.into()),
    };
    let doctor = match profile {
        Some((authorisation_id, practice_name, phone)) => Some(
            doctor::ActiveModel {
                id: Set(new_id()),
                user_id: Set(user.id),
                authorisation_id: Set(authorisation_id),
                practice_name: Set(practice_name),
                phone: Set(phone),
                created_at: Set(now),
                updated_at: Set(now),
            }
            .insert(&*txn)
            .await?,
        ),
        None => None,
    };
    txn.commit().await?;
    Ok((user, doctor))
}

async fn centre_exists(db: &impl ConnectionTrait, centre: Uuid) -> AppResult<()> {
    care_centre::Entity::find_by_id(centre).one(db).await?.map(|_| ()).ok_or(AppError::NotFound)
}

/// Starts (or resumes) a NURSE's or COORDINATOR's membership of a centre; another role is
/// `VALIDATION` on `userId`. Adding a membership that is already running changes nothing.
pub async fn add_staff_membership(
    db: &DatabaseConnection,
    viewer: &Viewer,
    user_id: Uuid,
    centre: Uuid,
    now: DateTime<Utc>,
) -> AppResult<()> {
    admin(viewer)?;
    // The write transaction serialises writers (IMMEDIATE on SQLite, the append lock on
    // PostgreSQL), so the read below and the write after it see the same rows.
    let txn = crate::audit::begin(db).await?;
    centre_exists(&*txn, centre).await?;
    let staff = user::Entity::find_by_id(user_id).one(&*txn).await?.ok_or(AppError::NotFound)?;
    if !matches!(staff.role, Role::Nurse | Role::Coordinator) {
        return Err(AppError::validation("userId", "Only nurses and coordinators are members of a centre"));
    }
    let existing = staff_membership::Entity::find()
        .filter(staff_membership::Column::UserId.eq(user_id))
        .filter(staff_membership::Column::CareCentreId.eq(centre))
        .one(&*txn)
        .await?;
    match existing {
        Some(membership) if membership.ended_at.is_none() => {}
        Some(membership) => {
            let mut row = membership.into_active_model();
            row.ended_at = Set(None);
            row.updated_at = Set(now);
            row.update(&*txn).await?;
        }
        None => {
            staff_membership::ActiveModel {
                id: Set(new_id()),
                user_id: Set(user_id),
                care_centre_id: Set(centre),
                ended_at: Set(None),
                created_at: Set(now),
                updated_at: Set(now),
            }
            .insert(&*txn)
            .await?;
        }
    }
    txn.commit().await
}

/// Ends a running membership: the member's access to the centre ends on their next request.
/// No running membership is `NOT_FOUND`.
pub async fn end_staff_membership(
    db: &DatabaseConnection,
    viewer: &Viewer,
    user_id: Uuid,
    centre: Uuid,
    now: DateTime<Utc>,
) -> AppResult<()> {
    admin(viewer)?;
    let ended = staff_membership::Entity::update_many()
        .col_expr(staff_membership::Column::EndedAt, Expr::value(now))
        .col_expr(staff_membership::Column::UpdatedAt, Expr::value(now))
        .filter(staff_membership::Column::UserId.eq(user_id))
        .filter(staff_membership::Column::CareCentreId.eq(centre))
        .filter(staff_membership::Column::EndedAt.is_null())
        .exec(db)
        .await?;
    if ended.rows_affected == 0 { Err(AppError::NotFound) } else { Ok(()) }
}

/// Attaches (or re-attaches) a doctor to a centre. Attaching a running attachment changes nothing.
pub async fn attach_doctor(
    db: &DatabaseConnection,
    viewer: &Viewer,
    doctor_id: Uuid,
    centre: Uuid,
    now: DateTime<Utc>,
) -> AppResult<()> {
    admin(viewer)?;
    let txn = crate::audit::begin(db).await?;
    centre_exists(&*txn, centre).await?;
    doctor::Entity::find_by_id(doctor_id).one(&*txn).await?.ok_or(AppError::NotFound)?;
    let existing = doctor_attachment::Entity::find()
        .filter(doctor_attachment::Column::DoctorId.eq(doctor_id))
        .filter(doctor_attachment::Column::CareCentreId.eq(centre))
        .one(&*txn)
        .await?;
    match existing {
        Some(attachment) if attachment.ended_at.is_none() => {}
        Some(attachment) => {
            let mut row = attachment.into_active_model();
            row.ended_at = Set(None);
            row.updated_at = Set(now);
            row.update(&*txn).await?;
        }
        None => {
            doctor_attachment::ActiveModel {
                id: Set(new_id()),
                doctor_id: Set(doctor_id),
                care_centre_id: Set(centre),
                ended_at: Set(None),
                created_at: Set(now),
                updated_at: Set(now),
            }
            .insert(&*txn)
            .await?;
        }
    }
    txn.commit().await
}

/// Ends a running attachment (`ended_at`): the doctor's access to the centre, its residents and
/// its questions ends on their next request. No running attachment is `NOT_FOUND`.
pub async fn detach_doctor(
    db: &DatabaseConnection,
    viewer: &Viewer,
    doctor_id: Uuid,
    centre: Uuid,
    now: DateTime<Utc>,
) -> AppResult<()> {
    admin(viewer)?;
    let ended = doctor_attachment::Entity::update_many()
        .col_expr(doctor_attachment::Column::EndedAt, Expr::value(now))
        .col_expr(doctor_attachment::Column::UpdatedAt, Expr::value(now))
        .filter(doctor_attachment::Column::DoctorId.eq(doctor_id))
        .filter(doctor_attachment::Column::CareCentreId.eq(centre))
        .filter(doctor_attachment::Column::EndedAt.is_null())
        .exec(db)
        .await?;
    if ended.rows_affected == 0 { Err(AppError::NotFound) } else { Ok(()) }
}

/// Deactivates an account: every access token dies at once (tokens are on the real clock, so is
/// `tokens_valid_after`), every refresh token is revoked and open sockets close. An ADMIN cannot
/// deactivate their own account (`VALIDATION` on `userId`), so there is always someone left to
/// undo mistakes.
pub async fn deactivate_user(
    db: &DatabaseConnection,
    events: &Events,
    viewer: &Viewer,
    user_id: Uuid,
) -> AppResult<user::Model> {
    admin(viewer)?;
    if user_id == viewer.user_id {
        return Err(AppError::validation("userId", "An administrator cannot deactivate their own account"));
    }
    let now = Utc::now();
    let txn = crate::audit::begin(db).await?;
    let account = user::Entity::find_by_id(user_id).one(&*txn).await?.ok_or(AppError::NotFound)?;
    let version = account.version;
    let mut row = account.into_active_model();
    row.active = Set(false);
    row.tokens_valid_after = Set(now);
    row.version = Set(version + 1);
    row.updated_at = Set(now);
    let saved = row.update(&*txn).await?;
    sessions::revoke_all(&*txn, user_id, now).await?;
    txn.commit().await?;
    events.publish(Event::SessionsEnded { user: user_id }).await;
    Ok(saved)
}

/// Ends every session of an account that stays active (a lost or shared phone): its access
/// tokens are refused and its sockets close at once, and the user signs in again. Unknown ids are
/// `NOT_FOUND`; one's own sessions too end (the ADMIN signs in again).
pub async fn end_sessions(db: &DatabaseConnection, events: &Events, viewer: &Viewer, user_id: Uuid) -> AppResult<()> {
    admin(viewer)?;
    user::Entity::find_by_id(user_id).one(db).await?.ok_or(AppError::NotFound)?;
    sessions::revoke_all(db, user_id, Utc::now()).await?;
    events.publish(Event::SessionsEnded { user: user_id }).await;
    Ok(())
}
