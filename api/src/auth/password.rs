//! Argon2id with the OWASP parameters (19 MiB, 2 iterations, 1 lane). Hashing runs on the
//! blocking pool behind a semaphore so a burst of logins cannot starve the server.

use crate::error::{AppError, AppResult};
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use std::sync::LazyLock;
use tokio::sync::Semaphore;

static HASHING: LazyLock<Semaphore> = LazyLock::new(|| Semaphore::new(2));

fn argon2() -> Argon2<'static> {
    let params = Params::new(19 * 1024, 2, 1, None).unwrap_or_default();
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// A hash of a random password, verified against when the account does not exist, so that an
/// unknown email costs the same time as a wrong password.
static DUMMY_HASH: LazyLock<String> = LazyLock::new(|| {
    let mut seed = [0u8; 24];
    let _ = getrandom::fill(&mut seed);
    hash_now(&format!("{seed:?}")).unwrap_or_default()
});

fn hash_now(password: &str) -> AppResult<String> {
    let mut salt = [0u8; 16];
    getrandom::fill(&mut salt).map_err(|e| AppError::internal(anyhow::anyhow!("no randomness: {e}")))?;
    let salt = SaltString::encode_b64(&salt).map_err(|e| AppError::internal(anyhow::anyhow!("{e}")))?;
    argon2()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| AppError::internal(anyhow::anyhow!("hashing failed: {e}")))
}

pub async fn hash_password(password: String) -> AppResult<String> {
    let _permit = HASHING.acquire().await.map_err(AppError::internal)?;
    tokio::task::spawn_blocking(move || hash_now(&password)).await.map_err(AppError::internal)?
}

/// Verifies `password` against `hash`, or against a dummy hash when there is no account.
pub async fn verify_password(password: String, hash: Option<String>) -> AppResult<bool> {
    let _permit = HASHING.acquire().await.map_err(AppError::internal)?;
    tokio::task::spawn_blocking(move || {
        let known = hash.is_some();
        let hash = hash.unwrap_or_else(|| DUMMY_HASH.clone());
        let ok = PasswordHash::new(&hash)
            .map(|parsed| argon2().verify_password(password.as_bytes(), &parsed).is_ok())
            .unwrap_or(false);
        known && ok
    })
    .await
    .map_err(AppError::internal)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn hashes_with_argon2id_and_verifies() {
        let hash = hash_password("demo-password".into()).await.expect("hash");
        assert!(hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
        assert!(verify_password("demo-password".into(), Some(hash.clone())).await.expect("verify"));
        assert!(!verify_password("wrong".into(), Some(hash)).await.expect("verify"));
        assert!(!verify_password("demo-password".into(), None).await.expect("verify"));
    }
}
