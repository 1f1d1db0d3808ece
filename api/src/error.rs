//! The one error type of the API. Every error a client sees carries a stable `extensions.code`
//! (DESIGN §7); database and other internal errors are logged with an `errorId` and never shown as text.

use async_graphql::ErrorExtensions;
use sea_orm::{DbErr, RuntimeErr};
use std::sync::Arc;

/// Deliberately not `Display`: async-graphql converts every `Display` type into an error without a
/// code, so `?` on an `AppError` must go through [`From<AppError> for async_graphql::Error`].
#[derive(Debug, Clone)]
pub enum AppError {
    Unauthenticated,
    NotFound,
    Forbidden,
    Validation {
        field: String,
        message: String,
    },
    /// An URGENT question without the required vitals (DESIGN §5); VALIDATION with the list.
    MissingVitals(Vec<entities::enums::VitalSign>),
    Conflict(String),
    /// Too many attempts: `extensions.retryAfter` says how many seconds to wait.
    RateLimited {
        retry_after_seconds: u64,
    },
    /// The database did not grant a lock in time (SQLite busy or locked past the busy timeout,
    /// PostgreSQL deadlock or lock timeout); nothing was written. `RATE_LIMITED` with
    /// `extensions.retryAfter`: the same request may be sent again.
    Busy(Arc<anyhow::Error>),
    Internal(Arc<anyhow::Error>),
    /// The database cannot be reached; `INTERNAL` with a message that says to retry.
    Unavailable(Arc<anyhow::Error>),
    /// The database's disk is full; `INTERNAL` with a message that says to retry later (the
    /// client keeps the write in its outbox; the operator finds the cause by the `errorId`).
    StorageFull(Arc<anyhow::Error>),
}

pub type AppResult<T> = Result<T, AppError>;

impl AppError {
    pub fn validation(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self::Validation { field: field.into(), message: message.into() }
    }

    pub fn internal(err: impl Into<anyhow::Error>) -> Self {
        Self::Internal(Arc::new(err.into()))
    }

    pub fn code(&self) -> &'static str {
        match self {
            Self::Unauthenticated => "UNAUTHENTICATED",
            Self::NotFound => "NOT_FOUND",
            Self::Forbidden => "FORBIDDEN",
            Self::Validation { .. } | Self::MissingVitals(_) => "VALIDATION",
            Self::Conflict(_) => "CONFLICT",
            Self::RateLimited { .. } | Self::Busy(_) => "RATE_LIMITED",
            Self::Internal(_) | Self::Unavailable(_) | Self::StorageFull(_) => "INTERNAL",
        }
    }

    fn message(&self) -> String {
        match self {
            Self::Unauthenticated => "Authentication required".into(),
            Self::NotFound => "Not found".into(),
            Self::Forbidden => "Your role may not do this".into(),
            Self::Validation { message, .. } => message.clone(),
            Self::MissingVitals(missing) => format!(
                "Required vitals are missing or too old: {}; measure them, or give an override reason",
                missing.iter().map(|v| format!("{v:?}")).collect::<Vec<_>>().join(", ")
            ),
            Self::Conflict(message) => message.clone(),
            Self::RateLimited { .. } => "Too many attempts; try again later".into(),
            Self::Busy(_) => "The database is busy; try again shortly".into(),
            Self::Internal(_) => "Internal error".into(),
            Self::Unavailable(_) => "The database is unavailable; try again shortly".into(),
            Self::StorageFull(_) => "The server cannot store data right now; try again later".into(),
        }
    }
}

/// Seconds a client should wait before sending a request refused with [`AppError::Busy`] again.
pub const BUSY_RETRY_AFTER_SECONDS: u32 = 1;

/// The database's own error code (SQLite's extended result code, PostgreSQL's SQLSTATE).
fn database_code(err: &DbErr) -> Option<String> {
    let (DbErr::Exec(RuntimeErr::SqlxError(e))
    | DbErr::Query(RuntimeErr::SqlxError(e))
    | DbErr::Conn(RuntimeErr::SqlxError(e))) = err
    else {
        return None;
    };
    let sea_orm::sqlx::Error::Database(e) = e.as_ref() else { return None };
    e.code().map(|code| code.into_owned())
}

/// SQLite's `SQLITE_FULL` or PostgreSQL's `disk_full`.
fn is_storage_full(code: &str) -> bool {
    matches!(code, "13" | "53100")
}

/// A lock the database did not grant: SQLite `SQLITE_BUSY` (5) and its extended codes
/// (`_RECOVERY` 261, `_SNAPSHOT` 517, `_TIMEOUT` 773), `SQLITE_LOCKED` (6) and its (262, 518);
/// PostgreSQL `serialization_failure`, `deadlock_detected`, `lock_not_available`. The statement
/// or transaction failed as a whole, so sending the request again is safe.
fn is_busy(code: &str) -> bool {
    matches!(code, "5" | "261" | "517" | "773" | "6" | "262" | "518" | "40001" | "40P01" | "55P03")
}

impl From<DbErr> for AppError {
    fn from(err: DbErr) -> Self {
        match database_code(&err) {
            Some(code) if is_storage_full(&code) => return Self::StorageFull(Arc::new(err.into())),
            Some(code) if is_busy(&code) => return Self::Busy(Arc::new(err.into())),
            _ => {}
        }
        match err {
            // The database is down or the pool exhausted: the client may retry soon.
            DbErr::ConnectionAcquire(_) | DbErr::Conn(_) => Self::Unavailable(Arc::new(err.into())),
            err => Self::internal(err),
        }
    }
}

impl From<AppError> for async_graphql::Error {
    fn from(err: AppError) -> Self {
        let mut error = async_graphql::Error::new(err.message());
        let code = err.code();
        match &err {
            AppError::Validation { field, .. } => {
                let field = field.clone();
                error = error.extend_with(|_, e| e.set("field", field));
            }
            AppError::MissingVitals(missing) => {
                let names: Vec<serde_json::Value> =
                    missing.iter().filter_map(|v| serde_json::to_value(v).ok()).collect();
                error = error.extend_with(|_, e| {
                    e.set("field", "observationIds");
                    e.set(
                        "missingVitals",
                        async_graphql::Value::from_json(serde_json::Value::Array(names)).unwrap_or_default(),
                    );
                });
            }
            AppError::RateLimited { retry_after_seconds } => {
                let seconds = *retry_after_seconds;
                error = error.extend_with(|_, e| e.set("retryAfter", seconds));
            }
            AppError::Busy(source) => {
                tracing::warn!(error = ?source, "database busy; answered RATE_LIMITED");
                error = error.extend_with(|_, e| e.set("retryAfter", BUSY_RETRY_AFTER_SECONDS));
            }
            AppError::Internal(source) | AppError::Unavailable(source) | AppError::StorageFull(source) => {
                let error_id = uuid::Uuid::now_v7().to_string();
                tracing::error!(error_id = %error_id, error = ?source, "internal error");
                error = error.extend_with(|_, e| e.set("errorId", error_id));
            }
            _ => {}
        }
        error.extend_with(|_, e| e.set("code", code))
    }
}

impl ErrorExtensions for AppError {
    fn extend(&self) -> async_graphql::Error {
        self.clone().into()
    }
}
