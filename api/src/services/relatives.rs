//! Relatives join by invitation: the coordinator invites with a one-time code (stored only as
//! its hash, valid 7 days); accepting it creates (or reuses) the relative's account and the link,
//! with consent recorded now and expiring after one year at the most.
//!
//! Decisions:
//! - The code is 192 random bits, base64url without padding; only its SHA-256 is stored and the
//!   plain code is returned once, in the `inviteRelative` answer. It is never logged.
//! - An unknown, used and expired code get the same `VALIDATION` answer on field `code`.
//! - The code is claimed by a conditional `UPDATE … WHERE accepted_at IS NULL AND expires_at > now`
//!   in the transaction that creates the account and the link, so it is used exactly once even when
//!   two acceptances race; the loser sees the same answer as for a used code.
//! - An existing active RELATIVE account with the invitation's email is reused (one login for
//!   several residents): the password given must then be that account's password (`VALIDATION`
//!   on `password` otherwise) and the account keeps its display name. A staff or ADMIN email is
//!   refused (`VALIDATION` on `email` when inviting, `CONFLICT` on acceptance), as is a
//!   deactivated account.
//! - Accepting again for a resident the relative was linked to before (revoked or consent
//!   expired) renews that link: consent is recorded anew for one year.
//! - The write is in the access log as the relative's own write about the resident.
//! - Token times are on the real clock: a new account's `tokens_valid_after` is the real "now".

use super::{require_role, required_text, residents, sessions};
use crate::audit::{self, Action};
use crate::auth::jwt::JwtKeys;
use crate::auth::{Viewer, password};
use crate::error::{AppError, AppResult};
use crate::ids::new_id;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Duration, SubsecRound, Utc};
use entities::enums::Role;
use entities::{invite, relative_link, user};
use sea_orm::ActiveValue::Set;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, IntoActiveModel, QueryFilter,
    SqlErr,
};
use sha2::{Digest, Sha256};
use uuid::Uuid;

pub const INVITE_VALIDITY: Duration = Duration::days(7);
/// Consent is recorded for one year at the most (DESIGN §3).
pub const CONSENT_VALIDITY: Duration = Duration::days(365);
/// Random bytes in a code: 192 bits.
const CODE_BYTES: usize = 24;

fn hash(code: &str) -> String {
    Sha256::digest(code.as_bytes()).iter().map(|b| format!("{b:02x}")).collect()
}

/// A plausible email address: something before and a dotted domain after one `@`, no spaces.
pub(crate) fn valid_email(email: &str) -> bool {
    let Some((local, domain)) = email.split_once('@') else { return false };
    !local.is_empty()
        && !domain.contains('@')
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !email.contains(char::is_whitespace)
}

async fn user_by_email(db: &impl ConnectionTrait, email: &str) -> AppResult<Option<user::Model>> {
    Ok(user::Entity::find().filter(user::Column::Email.eq(email)).one(db).await?)
}

/// COORDINATOR of the resident's centre: an invitation and its code. The code is shown once and
/// only its hash is stored.
pub async fn invite(
    db: &DatabaseConnection,
    viewer: &Viewer,
    resident: Uuid,
    email: &str,
    relation: &str,
    now: DateTime<Utc>,
) -> AppResult<(invite::Model, String)> {
    require_role(viewer, &[Role::Coordinator])?;
    let resident = residents::get(db, viewer, resident, Action::Write).await?;
    let email = required_text("email", email, 254)?.to_lowercase();
    if !valid_email(&email) {
        return Err(AppError::validation("email", "Not an email address"));
    }
    let relation = required_text("relation", relation, 100)?;
    match user_by_email(db, &email).await? {
        Some(account) if account.role != Role::Relative => {
            return Err(AppError::validation("email", "That email belongs to a staff account; use another"));
        }
        Some(account) if !account.active => {
            return Err(AppError::validation("email", "That relative's account is deactivated"));
        }
        _ => {}
    }
    let mut bytes = [0u8; CODE_BYTES];
    getrandom::fill(&mut bytes).map_err(|e| AppError::internal(anyhow::anyhow!("no randomness: {e}")))?;
    let code = URL_SAFE_NO_PAD.encode(bytes);
    let txn = audit::begin(db).await?;
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
    .insert(&*txn)
    .await?;
    txn.commit_write(viewer, Some(resident.id), now).await?;
    Ok((row, code))
}

/// What acceptance does with the account, decided (and the password hashed) before the write
/// transaction, so the slow hashing does not hold the write lock.
enum Account {
    Existing(Uuid),
    New(String),
}

/// Uses the code once: the relative's account (new, or their existing one), the link with
/// consent for a year, and a session. No token needed. Every attempt counts against the client
/// address, and a wrong password of an existing account as a failed login of that account (the
/// code stays unused, so it must not allow unthrottled guessing).
pub async fn accept(
    db: &DatabaseConnection,
    keys: &JwtKeys,
    check: sessions::PasswordCheck<'_>,
    code: &str,
    display_name: &str,
    now: DateTime<Utc>,
) -> AppResult<sessions::AuthSession> {
    let sessions::PasswordCheck { password: password_text, limits, client } = check;
    let unusable = || AppError::validation("code", "The invitation is unknown, used or expired");
    let code_hash = hash(code.trim());
    let invite = invite::Entity::find()
        .filter(invite::Column::CodeHash.eq(&code_hash))
        .one(db)
        .await?
        .filter(|i| i.accepted_at.is_none() && i.expires_at > now)
        .ok_or_else(unusable)?;
    let account_key = invite.email.to_lowercase();
    limits.admit(client, &account_key)?;
    sessions::check_password("password", password_text)?;
    let display_name = required_text("displayName", display_name, 200)?;
    let plan = match user_by_email(db, &invite.email).await? {
        Some(account) if account.role != Role::Relative => {
            return Err(AppError::Conflict("That email belongs to a staff account".into()));
        }
        Some(account) => {
            if !password::verify_password(password_text.to_owned(), Some(account.password_hash.clone())).await? {
                limits.per_account.record(&account_key);
                return Err(AppError::validation("password", "Use the password of your existing account"));
            }
            limits.per_account.clear(&account_key);
            if !account.active {
                return Err(AppError::Conflict("That account is deactivated".into()));
            }
            Account::Existing(account.id)
        }
        None => Account::New(password::hash_password(password_text.to_owned()).await?),
    };

    let txn = audit::begin(db).await?;
    // Claim the code first: of two acceptances at the same moment, the second finds it used.
    let claimed = invite::Entity::update_many()
        .col_expr(invite::Column::AcceptedAt, Expr::value(now))
        .col_expr(invite::Column::UpdatedAt, Expr::value(now))
        .filter(invite::Column::Id.eq(invite.id))
        .filter(invite::Column::AcceptedAt.is_null())
        .filter(invite::Column::ExpiresAt.gt(now))
        .exec(&*txn)
        .await?;
    if claimed.rows_affected != 1 {
        return Err(unusable());
    }
    let changed = || AppError::Conflict("The account changed meanwhile; try again".into());
    let user = match (user_by_email(&*txn, &invite.email).await?, plan) {
        (Some(account), Account::Existing(id))
            if account.id == id && account.active && account.role == Role::Relative =>
        {
            account
        }
        (None, Account::New(password_hash)) => {
            let inserted = user::ActiveModel {
                id: Set(new_id()),
                email: Set(invite.email.clone()),
                password_hash: Set(password_hash),
                display_name: Set(display_name),
                role: Set(Role::Relative),
                locale: Set("da".into()),
                active: Set(true),
                // Tokens run on the real clock (whole seconds).
                tokens_valid_after: Set(Utc::now().trunc_subsecs(0)),
                version: Set(1),
                created_at: Set(now),
                updated_at: Set(now),
            }
            .insert(&*txn)
            .await;
            match inserted {
                Ok(account) => account,
                // Another invitation for the same email was accepted at the same moment.
                Err(err) if matches!(err.sql_err(), Some(SqlErr::UniqueConstraintViolation(_))) => {
                    return Err(changed());
                }
                Err(err) => return Err(err.into()),
            }
        }
        _ => return Err(changed()),
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
    let relative = Viewer::for_user(&*txn, user.clone(), now).await?;
    txn.commit_write(&relative, Some(invite.resident_id), now).await?;
    sessions::start_session(db, keys, user, now).await
}
