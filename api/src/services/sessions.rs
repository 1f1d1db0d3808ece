//! Login sessions: a short-lived access JWT plus an opaque refresh token stored only as a hash,
//! rotated on every use. Presenting an already rotated token revokes the whole session (family).
//! A retry with the just-rotated token within [`GRACE`] gets the same new pair (a lost response
//! must not log the nurse out): the new refresh token is derived from the old one with a server
//! secret, and the access token is re-signed with the rotation's time (EdDSA is deterministic).
//! Token times run on the real clock (the JWT library checks `exp` against it), not on the
//! injectable domain clock.

use crate::auth::jwt::JwtKeys;
use crate::auth::rate_limit::LoginLimits;
use crate::auth::{Viewer, password};
use crate::error::{AppError, AppResult};
use crate::events::{Event, Events};
use crate::ids::new_id;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Duration, SubsecRound, Utc};
use entities::{refresh_token, user};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, IntoActiveModel,
    QueryFilter, QuerySelect,
};
use sha2::{Digest, Sha256};
use uuid::Uuid;

pub const REFRESH_TOKEN_TTL: Duration = Duration::days(30);
/// How long a rotated refresh token still answers with the pair that replaced it.
pub const GRACE: Duration = Duration::seconds(30);
/// The shortest password an account may get (sign-up, invitation, change).
pub const MIN_PASSWORD: usize = 12;

/// `VALIDATION` on `field` unless `password` has at least [`MIN_PASSWORD`] characters.
pub(crate) fn check_password(field: &str, password: &str) -> AppResult<()> {
    if password.chars().count() < MIN_PASSWORD {
        return Err(AppError::validation(field, format!("The password needs at least {MIN_PASSWORD} characters")));
    }
    Ok(())
}

pub struct AuthSession {
    pub access_token: String,
    pub expires_at: DateTime<Utc>,
    pub refresh_token: String,
    pub viewer: Viewer,
}

/// Now on the real clock, to the second (JWT times are whole seconds, so a re-issued token is
/// identical to the first).
fn token_time() -> DateTime<Utc> {
    Utc::now().trunc_subsecs(0)
}

fn hash_token(token: &str) -> String {
    Sha256::digest(token.as_bytes()).iter().map(|b| format!("{b:02x}")).collect()
}

fn random_token() -> AppResult<String> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|e| AppError::internal(anyhow::anyhow!("no randomness: {e}")))?;
    Ok(URL_SAFE_NO_PAD.encode(bytes))
}

/// The token that replaces `old` on rotation: the same every time, unknowable without the secret.
fn successor(keys: &JwtKeys, old: &str) -> String {
    URL_SAFE_NO_PAD.encode(keys.mac(old.as_bytes()))
}

async fn insert_refresh_token(
    db: &impl ConnectionTrait,
    user: Uuid,
    family: Uuid,
    token: String,
    now: DateTime<Utc>,
) -> AppResult<(Uuid, String)> {
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
/// Refused with `RATE_LIMITED` past the failures per account or attempts per client address of
/// [`LoginLimits`]; checked before the password is hashed, so a flood costs no CPU.
pub async fn login(
    db: &DatabaseConnection,
    keys: &JwtKeys,
    limits: &LoginLimits,
    client: &str,
    email: &str,
    password_text: &str,
    now: DateTime<Utc>,
) -> AppResult<AuthSession> {
    let email = email.trim().to_lowercase();
    limits.admit(client, &email)?;
    let user = user::Entity::find().filter(user::Column::Email.eq(&email)).one(db).await?;
    let hash = user.as_ref().map(|u| u.password_hash.clone());
    let ok = password::verify_password(password_text.to_owned(), hash).await?;
    let user = match user {
        Some(user) if ok && user.active => user,
        _ => {
            limits.per_account.record(&email);
            return Err(AppError::Unauthenticated);
        }
    };
    limits.per_account.clear(&email);
    start_session(db, keys, user, now).await
}

/// A new session (refresh-token family) for an authenticated user.
pub async fn start_session(
    db: &DatabaseConnection,
    keys: &JwtKeys,
    user: user::Model,
    now: DateTime<Utc>,
) -> AppResult<AuthSession> {
    let family = new_id();
    let issued = token_time();
    let (_, refresh) = insert_refresh_token(db, user.id, family, random_token()?, issued).await?;
    let (access_token, expires_at) = keys.issue_access(user.id, family, issued)?;
    let viewer = Viewer::for_user(db, user, now).await?;
    Ok(AuthSession { access_token, expires_at, refresh_token: refresh, viewer })
}

/// Rotates a refresh token. Reuse of a rotated token revokes its family: the session ends, its
/// access tokens and sockets with it.
pub async fn refresh(
    db: &DatabaseConnection,
    events: &Events,
    keys: &JwtKeys,
    token: &str,
    now: DateTime<Utc>,
) -> AppResult<AuthSession> {
    let issued = token_time();
    // A write transaction from its start, and the token's row locked (`FOR UPDATE` on PostgreSQL;
    // SQLite's write lock covers it): two refreshes of one token take turns, so the second sees
    // the first's rotation and answers with the same pair.
    let txn = crate::db::begin_write(db).await?;
    let Some(current) = refresh_token::Entity::find()
        .filter(refresh_token::Column::TokenHash.eq(hash_token(token)))
        .lock_exclusive()
        .one(&*txn)
        .await?
    else {
        return Err(AppError::Unauthenticated);
    };
    if current.revoked_at.is_some() || current.expires_at <= issued {
        return Err(AppError::Unauthenticated);
    }
    let user = user::Entity::find_by_id(current.user_id)
        .one(&*txn)
        .await?
        .filter(|u| u.active && u.tokens_valid_after <= issued)
        .ok_or(AppError::Unauthenticated)?;
    if let Some(rotated_at) = current.rotated_at {
        if issued - rotated_at <= GRACE {
            // A lost response: answer again with the pair the first rotation made.
            let (access_token, expires_at) = keys.issue_access(user.id, current.family_id, rotated_at)?;
            let viewer = Viewer::for_user(&*txn, user, now).await?;
            return Ok(AuthSession { access_token, expires_at, refresh_token: successor(keys, token), viewer });
        }
        revoke_family(&*txn, current.family_id, issued).await?;
        txn.commit().await?;
        events.publish(Event::SessionsEnded { user: user.id }).await;
        return Err(AppError::Unauthenticated);
    }
    let (new_id, refresh) =
        insert_refresh_token(&*txn, user.id, current.family_id, successor(keys, token), issued).await?;
    // Conditional on "not yet rotated" so two concurrent refreshes cannot both succeed.
    let rotated = refresh_token::Entity::update_many()
        .col_expr(refresh_token::Column::RotatedAt, Expr::value(issued))
        .col_expr(refresh_token::Column::ReplacedById, Expr::value(new_id))
        .col_expr(refresh_token::Column::UpdatedAt, Expr::value(issued))
        .filter(refresh_token::Column::Id.eq(current.id))
        .filter(refresh_token::Column::RotatedAt.is_null())
        .exec(&*txn)
        .await?;
    if rotated.rows_affected != 1 {
        return Err(AppError::Unauthenticated);
    }
    let (access_token, expires_at) = keys.issue_access(user.id, current.family_id, issued)?;
    let viewer = Viewer::for_user(&*txn, user, now).await?;
    txn.commit().await?;
    Ok(AuthSession { access_token, expires_at, refresh_token: refresh, viewer })
}

/// Revokes the refresh tokens `which` selects that are not revoked yet.
async fn revoke(db: &impl ConnectionTrait, which: sea_orm::Condition, now: DateTime<Utc>) -> AppResult<()> {
    refresh_token::Entity::update_many()
        .col_expr(refresh_token::Column::RevokedAt, Expr::value(now))
        .col_expr(refresh_token::Column::UpdatedAt, Expr::value(now))
        .filter(which)
        .filter(refresh_token::Column::RevokedAt.is_null())
        .exec(db)
        .await?;
    Ok(())
}

async fn revoke_family(db: &impl ConnectionTrait, family: Uuid, now: DateTime<Utc>) -> AppResult<()> {
    revoke(db, sea_orm::Condition::all().add(refresh_token::Column::FamilyId.eq(family)), now).await
}

/// Ends the session the refresh token belongs to, its access tokens and sockets at once. Unknown
/// tokens are ignored (idempotent).
pub async fn logout(db: &DatabaseConnection, events: &Events, token: &str) -> AppResult<()> {
    let now = Utc::now();
    if let Some(current) =
        refresh_token::Entity::find().filter(refresh_token::Column::TokenHash.eq(hash_token(token))).one(db).await?
    {
        revoke_family(db, current.family_id, now).await?;
        events.publish(Event::SessionsEnded { user: current.user_id }).await;
    }
    Ok(())
}

/// Revokes every session of the account (inside the caller's transaction); the caller publishes
/// [`Event::SessionsEnded`] after its commit, so open sockets close.
pub async fn revoke_all(db: &impl ConnectionTrait, user: Uuid, now: DateTime<Utc>) -> AppResult<()> {
    revoke(db, sea_orm::Condition::all().add(refresh_token::Column::UserId.eq(user)), now).await
}

/// A password to check, from which client address, under which limits.
pub struct PasswordCheck<'a> {
    pub password: &'a str,
    pub limits: &'a LoginLimits,
    pub client: &'a str,
}

/// Changes the viewer's password; every other session (access and refresh tokens) ends at once
/// and a fresh session is returned. A wrong `currentPassword` counts against the same limits as a
/// failed login (per account, shared with `login`, and per client address), so a stolen access
/// token does not open a second, unthrottled way to guess the password.
pub async fn change_password(
    db: &DatabaseConnection,
    events: &Events,
    keys: &JwtKeys,
    check: PasswordCheck<'_>,
    viewer: &Viewer,
    new: &str,
    now: DateTime<Utc>,
) -> AppResult<AuthSession> {
    let account_key = viewer.email.trim().to_lowercase();
    let PasswordCheck { password: current, limits, client } = check;
    limits.admit(client, &account_key)?;
    check_password("newPassword", new)?;
    let account = user::Entity::find_by_id(viewer.user_id).one(db).await?.ok_or(AppError::Unauthenticated)?;
    if !password::verify_password(current.to_owned(), Some(account.password_hash.clone())).await? {
        limits.per_account.record(&account_key);
        return Err(AppError::validation("currentPassword", "The current password is not right"));
    }
    limits.per_account.clear(&account_key);
    let hash = password::hash_password(new.to_owned()).await?;
    let cut = token_time();
    let txn = crate::audit::begin(db).await?;
    let version = account.version;
    let mut row = account.into_active_model();
    row.password_hash = Set(hash);
    // Tokens issued in this very second die too; the new session is issued a second later.
    row.tokens_valid_after = Set(cut + Duration::seconds(1));
    row.version = Set(version + 1);
    row.updated_at = Set(cut);
    let account = row.update(&*txn).await?;
    revoke_all(&*txn, account.id, cut).await?;
    txn.commit().await?;
    events.publish(Event::SessionsEnded { user: account.id }).await;
    tokio::time::sleep(std::time::Duration::from_millis(1000 - u64::from(Utc::now().timestamp_subsec_millis()))).await;
    start_session(db, keys, account, now).await
}
