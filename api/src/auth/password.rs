//! Argon2id with the OWASP parameters (19 MiB, 2 iterations, 1 lane). Hashing runs on two
//! threads of its own, so a burst of logins cannot starve the server, and memory stays bounded:
//! the allocator keeps a freed 19 MiB block in the arena of the thread that used it, so on the
//! blocking pool (many threads, many arenas) RSS grew by 19 MiB per thread that ever hashed.

use crate::error::{AppError, AppResult};
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use std::sync::mpsc::{Sender, channel};
use std::sync::{Arc, LazyLock, Mutex};

/// At most this many hashes at a time.
const HASHING_THREADS: usize = 2;

type Job = Box<dyn FnOnce() + Send>;

static HASHER: LazyLock<Sender<Job>> = LazyLock::new(|| {
    let (jobs, queue) = channel::<Job>();
    let queue = Arc::new(Mutex::new(queue));
    for n in 0..HASHING_THREADS {
        let queue = queue.clone();
        let spawned = std::thread::Builder::new().name(format!("argon2-{n}")).spawn(move || {
            loop {
                let job = match queue.lock() {
                    Ok(queue) => queue.recv(),
                    Err(_) => return,
                };
                match job {
                    Ok(job) => job(),
                    Err(_) => return,
                }
            }
        });
        if let Err(err) = spawned {
            tracing::error!(error = %err, "could not start a password hashing thread");
        }
    }
    jobs
});

/// Runs `work` on a hashing thread and waits for it without blocking the runtime.
async fn on_hasher<T: Send + 'static>(work: impl FnOnce() -> T + Send + 'static) -> AppResult<T> {
    let (done, result) = tokio::sync::oneshot::channel();
    HASHER
        .send(Box::new(move || {
            let _ = done.send(work());
        }))
        .map_err(|_| AppError::internal(anyhow::anyhow!("the password hashing threads stopped")))?;
    result.await.map_err(AppError::internal)
}

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
    on_hasher(move || hash_now(&password)).await?
}

/// Verifies `password` against `hash`, or against a dummy hash when there is no account.
pub async fn verify_password(password: String, hash: Option<String>) -> AppResult<bool> {
    on_hasher(move || {
        let known = hash.is_some();
        let hash = hash.unwrap_or_else(|| DUMMY_HASH.clone());
        let ok = PasswordHash::new(&hash)
            .map(|parsed| argon2().verify_password(password.as_bytes(), &parsed).is_ok())
            .unwrap_or(false);
        known && ok
    })
    .await
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
