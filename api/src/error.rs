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
            Self::RateLimited { .. } => "RATE_LIMITED",
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
            Self::Internal(_) => "Internal error".into(),
            Self::Unavailable(_) => "The database is unavailable; try again shortly".into(),
            Self::StorageFull(_) => "The server cannot store data right now; try again later".into(),
        }
    }
}

/// SQLite's `SQLITE_FULL` or PostgreSQL's `disk_full`.
fn is_storage_full(err: &DbErr) -> bool {
    let (DbErr::Exec(RuntimeErr::SqlxError(e))
    | DbErr::Query(RuntimeErr::SqlxError(e))
    | DbErr::Conn(RuntimeErr::SqlxError(e))) = err
    else {
        return false;
    };
    let sea_orm::sqlx::Error::Database(e) = e.as_ref() else { return false };
    matches!(e.code().as_deref(), Some("13" | "53100"))
}

impl From<DbErr> for AppError {
    fn from(err: DbErr) -> Self {
        if is_storage_full(&err) {
            return Self::StorageFull(Arc::new(err.into()));
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
