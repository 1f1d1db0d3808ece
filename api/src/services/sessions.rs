//! Login sessions: a short-lived access JWT plus an opaque refresh token stored only as a hash,
//! rotated on every use. Presenting an already rotated token revokes the whole session (family).
//! Token lifetimes run on the real clock (the JWT library checks `exp` against it); the
//! injectable clock is domain time (deadlines, consent) and only decides refresh-token expiry.

use crate::auth::jwt::JwtKeys;
use crate::auth::{Viewer, password};
use crate::error::{AppError, AppResult};
use crate::ids::new_id;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Duration, Utc};
use entities::{refresh_token, user};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter, TransactionTrait,
};
use sha2::{Digest, Sha256};
use uuid::Uuid;

pub const REFRESH_TOKEN_TTL: Duration = Duration::days(30);

pub struct AuthSession {
    pub access_token: String,
    pub expires_at: DateTime<Utc>,
    pub refresh_token: String,
    pub viewer: Viewer,
}

fn hash_token(token: &str) -> String {
    Sha256::digest(token.as_bytes()).iter().map(|b| format!("{b:02x}")).collect()
}

fn new_refresh_token() -> AppResult<String> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|e| AppError::internal(anyhow::anyhow!("no randomness: {e}")))?;
    Ok(URL_SAFE_NO_PAD.encode(bytes))
}

async fn insert_refresh_token(
    db: &impl ConnectionTrait,
    user: Uuid,
    family: Uuid,
    now: DateTime<Utc>,
) -> AppResult<(Uuid, String)> {
    let token = new_refresh_token()?;
    let id = new_id();
    refresh_token::Entity::insert(refresh_token::ActiveModel {
        id: Set(id),
        user_id: Set(user),
        family_id: Set(family),
        token_hash: Set(hash_token(&token)),
        expires_at: Set(now + REFRESH_TOKEN_TTL),
        rotated_at: Set(None),
        replaced_by_id: Set(None),
        revoked_at: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
    })
    .exec(db)
    .await?;
    Ok((id, token))
}

/// Email and password to a new session. Unknown email, wrong password and a deactivated
/// account give the same answer after the same work.
pub async fn login(
    db: &DatabaseConnection,
    keys: &JwtKeys,
    email: &str,
    password_text: &str,
    now: DateTime<Utc>,
) -> AppResult<AuthSession> {
    let email = email.trim().to_lowercase();
    let user = user::Entity::find().filter(user::Column::Email.eq(email)).one(db).await?;
    let hash = user.as_ref().map(|u| u.password_hash.clone());
    let ok = password::verify_password(password_text.to_owned(), hash).await?;
    let user = match user {
        Some(user) if ok && user.active => user,
        _ => return Err(AppError::Unauthenticated),
    };
    let family = new_id();
    let (_, refresh) = insert_refresh_token(db, user.id, family, now).await?;
    let (access_token, expires_at) = keys.issue_access(user.id, family, Utc::now())?;
    let viewer = Viewer::for_user(db, user, now).await?;
    Ok(AuthSession { access_token, expires_at, refresh_token: refresh, viewer })
}

/// Rotates a refresh token. Reuse of a rotated token revokes its family.
pub async fn refresh(
    db: &DatabaseConnection,
    keys: &JwtKeys,
    token: &str,
    now: DateTime<Utc>,
) -> AppResult<AuthSession> {
    let txn = db.begin().await?;
    let Some(current) =
        refresh_token::Entity::find().filter(refresh_token::Column::TokenHash.eq(hash_token(token))).one(&txn).await?
    else {
        return Err(AppError::Unauthenticated);
    };
    if current.revoked_at.is_some() || current.expires_at <= now {
        return Err(AppError::Unauthenticated);
    }
    if current.rotated_at.is_some() {
        revoke_family(&txn, current.family_id, now).await?;
        txn.commit().await?;
        return Err(AppError::Unauthenticated);
    }
    let user = user::Entity::find_by_id(current.user_id)
        .one(&txn)
        .await?
        .filter(|u| u.active)
        .ok_or(AppError::Unauthenticated)?;
    let (new_id, refresh) = insert_refresh_token(&txn, user.id, current.family_id, now).await?;
    // Conditional on "not yet rotated" so two concurrent refreshes cannot both succeed.
    let rotated = refresh_token::Entity::update_many()
        .col_expr(refresh_token::Column::RotatedAt, Expr::value(now))
        .col_expr(refresh_token::Column::ReplacedById, Expr::value(new_id))
        .col_expr(refresh_token::Column::UpdatedAt, Expr::value(now))
        .filter(refresh_token::Column::Id.eq(current.id))
        .filter(refresh_token::Column::RotatedAt.is_null())
        .exec(&txn)
        .await?;
    if rotated.rows_affected != 1 {
        return Err(AppError::Unauthenticated);
    }
    let (access_token, expires_at) = keys.issue_access(user.id, current.family_id, Utc::now())?;
    let viewer = Viewer::for_user(&txn, user, now).await?;
    txn.commit().await?;
    Ok(AuthSession { access_token, expires_at, refresh_token: refresh, viewer })
}

async fn revoke_family(db: &impl ConnectionTrait, family: Uuid, now: DateTime<Utc>) -> AppResult<()> {
    refresh_token::Entity::update_many()
        .col_expr(refresh_token::Column::RevokedAt, Expr::value(now))
        .col_expr(refresh_token::Column::UpdatedAt, Expr::value(now))
        .filter(refresh_token::Column::FamilyId.eq(family))
        .filter(refresh_token::Column::RevokedAt.is_null())
        .exec(db)
        .await?;
    Ok(())
}

/// Ends the session the refresh token belongs to. Unknown tokens are ignored (idempotent).
pub async fn logout(db: &DatabaseConnection, token: &str, now: DateTime<Utc>) -> AppResult<()> {
    if let Some(current) =
        refresh_token::Entity::find().filter(refresh_token::Column::TokenHash.eq(hash_token(token))).one(db).await?
    {
        revoke_family(db, current.family_id, now).await?;
    }
    Ok(())
}
