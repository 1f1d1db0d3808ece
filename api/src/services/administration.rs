//! ADMIN: care centres, accounts, memberships and doctor attachments. Ending a membership or an
//! attachment, or deactivating an account, ends the access on the next request.

use super::{optional_text, require_role, required_text};
use crate::auth::{Viewer, password};
use crate::error::{AppError, AppResult};
use crate::ids::new_id;
use chrono::{DateTime, Utc};
use entities::enums::Role;
use entities::{care_centre, doctor, doctor_attachment, refresh_token, staff_membership, user};
use sea_orm::ActiveValue::Set;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, IntoActiveModel, QueryFilter,
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
    /// Required for DOCTOR.
    pub doctor: Option<DoctorProfile>,
}

pub async fn create_user(
    db: &DatabaseConnection,
    viewer: &Viewer,
    input: UserInput,
    now: DateTime<Utc>,
) -> AppResult<user::Model> {
    admin(viewer)?;
    let email = required_text("email", &input.email, 254)?.to_lowercase();
    if !email.contains('@') {
        return Err(AppError::validation("email", "Not an email address"));
    }
    let locale = optional_text("locale", input.locale.as_deref(), 5)?.unwrap_or_else(|| "da".into());
    if !matches!(locale.as_str(), "da" | "en") {
        return Err(AppError::validation("locale", "locale is da or en"));
    }
    if input.password.chars().count() < super::relatives::MIN_PASSWORD {
        return Err(AppError::validation("password", "The password needs at least 12 characters"));
    }
    if (input.role == Role::Doctor) != input.doctor.is_some() {
        return Err(AppError::validation("doctor", "A doctor profile is given for, and only for, DOCTOR"));
    }
    let display_name = required_text("displayName", &input.display_name, 200)?;
    if user::Entity::find().filter(user::Column::Email.eq(&email)).one(db).await?.is_some() {
        return Err(AppError::Conflict("An account with that email exists".into()));
    }
    let hash = password::hash_password(input.password).await?;
    let txn = crate::audit::begin(db).await?;
    let user = user::ActiveModel {
        id: Set(new_id()),
        email: Set(email),
        password_hash: Set(hash),
        display_name: Set(display_name),
        role: Set(input.role),
        locale: Set(locale),
        active: Set(true),
        tokens_valid_after: Set(now),
        version: Set(1),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(&*txn)
    .await?;
    if let Some(profile) = input.doctor {
        doctor::ActiveModel {
            id: Set(new_id()),
            user_id: Set(user.id),
            authorisation_id: Set(required_text("doctor", &profile.authorisation_id, 20)?),
            practice_name: Set(required_text("doctor", &profile.practice_name, 200)?),
            phone: Set(required_text("doctor", &profile.phone, 40)?),
            created_at: Set(now),
            updated_at: Set(now),
        }
        .insert(&*txn)
        .await?;
    }
    txn.commit().await?;
    Ok(user)
}

async fn centre_exists(db: &impl ConnectionTrait, centre: Uuid) -> AppResult<()> {
    care_centre::Entity::find_by_id(centre).one(db).await?.map(|_| ()).ok_or(AppError::NotFound)
}

/// Starts (or resumes) a NURSE's or COORDINATOR's membership of a centre.
pub async fn add_staff_membership(
    db: &DatabaseConnection,
    viewer: &Viewer,
    user_id: Uuid,
    centre: Uuid,
    now: DateTime<Utc>,
) -> AppResult<()> {
    admin(viewer)?;
    centre_exists(db, centre).await?;
    let staff = user::Entity::find_by_id(user_id).one(db).await?.ok_or(AppError::NotFound)?;
    if !matches!(staff.role, Role::Nurse | Role::Coordinator) {
        return Err(AppError::validation("userId", "Only nurses and coordinators are members of a centre"));
    }
    let existing = staff_membership::Entity::find()
        .filter(staff_membership::Column::UserId.eq(user_id))
        .filter(staff_membership::Column::CareCentreId.eq(centre))
        .one(db)
        .await?;
    match existing {
        Some(membership) => {
            let mut row = membership.into_active_model();
            row.ended_at = Set(None);
            row.updated_at = Set(now);
            row.update(db).await?;
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
            .insert(db)
            .await?;
        }
    }
    Ok(())
}

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

/// Attaches (or re-attaches) a doctor to a centre.
pub async fn attach_doctor(
    db: &DatabaseConnection,
    viewer: &Viewer,
    doctor_id: Uuid,
    centre: Uuid,
    now: DateTime<Utc>,
) -> AppResult<()> {
    admin(viewer)?;
    centre_exists(db, centre).await?;
    doctor::Entity::find_by_id(doctor_id).one(db).await?.ok_or(AppError::NotFound)?;
    let existing = doctor_attachment::Entity::find()
        .filter(doctor_attachment::Column::DoctorId.eq(doctor_id))
        .filter(doctor_attachment::Column::CareCentreId.eq(centre))
        .one(db)
        .await?;
    match existing {
        Some(attachment) => {
            let mut row = attachment.into_active_model();
            row.ended_at = Set(None);
            row.updated_at = Set(now);
            row.update(db).await?;
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
            .insert(db)
            .await?;
        }
    }
    Ok(())
}

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
/// `tokens_valid_after`) and every refresh token is revoked.
pub async fn deactivate_user(db: &DatabaseConnection, viewer: &Viewer, user_id: Uuid) -> AppResult<user::Model> {
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
    refresh_token::Entity::update_many()
        .col_expr(refresh_token::Column::RevokedAt, Expr::value(now))
        .filter(refresh_token::Column::UserId.eq(user_id))
        .filter(refresh_token::Column::RevokedAt.is_null())
        .exec(&*txn)
        .await?;
    txn.commit().await?;
    Ok(saved)
}
