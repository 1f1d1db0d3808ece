//! Relatives join by invitation: the coordinator invites with a one-time code (stored only as
//! its hash, valid 7 days); accepting it creates (or reuses) the relative's account and the link,
//! with consent recorded now and expiring after one year at the most.

use super::{require_role, required_text, residents, sessions};
use crate::auth::jwt::JwtKeys;
use crate::auth::{Viewer, password};
use crate::error::{AppError, AppResult};
use crate::ids::new_id;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Duration, Utc};
use entities::enums::Role;
use entities::{invite, relative_link, user};
use sea_orm::ActiveValue::Set;
use sea_orm::sea_query::Expr;
use sea_orm::{ActiveModelTrait, ColumnTrait, DatabaseConnection, EntityTrait, IntoActiveModel, QueryFilter};
use sha2::{Digest, Sha256};
use uuid::Uuid;

pub const INVITE_VALIDITY: Duration = Duration::days(7);
pub const CONSENT_VALIDITY: Duration = Duration::days(365);
pub const MIN_PASSWORD: usize = 12;

fn hash(code: &str) -> String {
    Sha256::digest(code.as_bytes()).iter().map(|b| format!("{b:02x}")).collect()
}

fn valid_email(email: &str) -> bool {
    let Some((local, domain)) = email.split_once('@') else { return false };
    !local.is_empty() && domain.contains('.') && !domain.starts_with('.') && !email.contains(char::is_whitespace)
}

/// Returns the invite and its code; the code is shown once and never stored.
pub async fn invite(
    db: &DatabaseConnection,
    viewer: &Viewer,
    resident: Uuid,
    email: &str,
    relation: &str,
    now: DateTime<Utc>,
) -> AppResult<(invite::Model, String)> {
    require_role(viewer, &[Role::Coordinator])?;
    let resident = residents::get(db, viewer, resident).await?;
    let email = required_text("email", email, 254)?.to_lowercase();
    if !valid_email(&email) {
        return Err(AppError::validation("email", "Not an email address"));
    }
    let relation = required_text("relation", relation, 100)?;
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes).map_err(|e| AppError::internal(anyhow::anyhow!("no randomness: {e}")))?;
    let code = URL_SAFE_NO_PAD.encode(bytes);
    let row = invite::ActiveModel {
        id: Set(new_id()),
        code_hash: Set(hash(&code)),
        resident_id: Set(resident.id),
        relation: Set(relation),
        email: Set(email),
        invited_by: Set(viewer.user_id),
        expires_at: Set(now + INVITE_VALIDITY),
        accepted_at: Set(None),
        accepted_user_id: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(db)
    .await?;
    Ok((row, code))
}

/// Uses the code once. An existing RELATIVE account with the invite's email is reused when the
/// password is its own (one login for several residents); another role's email is a conflict.
pub async fn accept(
    db: &DatabaseConnection,
    keys: &JwtKeys,
    code: &str,
    password_text: &str,
    display_name: &str,
    now: DateTime<Utc>,
) -> AppResult<sessions::AuthSession> {
    let unusable = || AppError::validation("code", "The invitation is unknown, used or expired");
    let display_name = required_text("displayName", display_name, 200)?;
    if password_text.chars().count() < MIN_PASSWORD {
        return Err(AppError::validation("password", format!("The password needs at least {MIN_PASSWORD} characters")));
    }
    let found = invite::Entity::find().filter(invite::Column::CodeHash.eq(hash(code.trim()))).one(db).await?;
    let invite = found.filter(|i| i.accepted_at.is_none() && i.expires_at > now).ok_or_else(unusable)?;
    let existing = user::Entity::find().filter(user::Column::Email.eq(&invite.email)).one(db).await?;
    let new_hash = match &existing {
        Some(user) if user.role != Role::Relative => {
            return Err(AppError::Conflict("That email belongs to a staff account".into()));
        }
        Some(user) => {
            if !password::verify_password(password_text.to_owned(), Some(user.password_hash.clone())).await? {
                return Err(AppError::validation("password", "Use the password of your existing account"));
            }
            None
        }
        None => Some(password::hash_password(password_text.to_owned()).await?),
    };
    let txn = crate::audit::begin(db).await?;
    // Claim the code first: a second acceptance at the same moment finds it used.
    let claimed = invite::Entity::update_many()
        .col_expr(invite::Column::AcceptedAt, Expr::value(now))
        .col_expr(invite::Column::UpdatedAt, Expr::value(now))
        .filter(invite::Column::Id.eq(invite.id))
        .filter(invite::Column::AcceptedAt.is_null())
        .exec(&*txn)
        .await?;
    if claimed.rows_affected != 1 {
        return Err(unusable());
    }
    let user = match (existing, new_hash) {
        (Some(user), _) => user,
        (None, hash) => {
            user::ActiveModel {
                id: Set(new_id()),
                email: Set(invite.email.clone()),
                password_hash: Set(hash.unwrap_or_default()),
                display_name: Set(display_name),
                role: Set(Role::Relative),
                locale: Set("da".into()),
                active: Set(true),
                tokens_valid_after: Set(now - Duration::minutes(1)),
                version: Set(1),
                created_at: Set(now),
                updated_at: Set(now),
            }
            .insert(&*txn)
            .await?
        }
    };
    invite::Entity::update_many()
        .col_expr(invite::Column::AcceptedUserId, Expr::value(user.id))
        .filter(invite::Column::Id.eq(invite.id))
        .exec(&*txn)
        .await?;
    let link = relative_link::Entity::find()
        .filter(relative_link::Column::RelativeUserId.eq(user.id))
        .filter(relative_link::Column::ResidentId.eq(invite.resident_id))
        .one(&*txn)
        .await?;
    match link {
        Some(link) => {
            let mut row = link.into_active_model();
            row.relation = Set(invite.relation.clone());
            row.consent_recorded_at = Set(now);
            row.consent_expires_at = Set(now + CONSENT_VALIDITY);
            row.revoked_at = Set(None);
            row.updated_at = Set(now);
            row.update(&*txn).await?;
        }
        None => {
            relative_link::ActiveModel {
                id: Set(new_id()),
                relative_user_id: Set(user.id),
                resident_id: Set(invite.resident_id),
                relation: Set(invite.relation.clone()),
                consent_recorded_at: Set(now),
                consent_expires_at: Set(now + CONSENT_VALIDITY),
                revoked_at: Set(None),
                created_at: Set(now),
                updated_at: Set(now),
            }
            .insert(&*txn)
            .await?;
        }
    }
    txn.commit().await?;
    sessions::start_session(db, keys, user, now).await
}
