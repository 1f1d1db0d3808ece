//! Online backup of the SQLite database: `VACUUM INTO` writes a consistent, compacted copy while
//! the server keeps serving. (PostgreSQL: use `pg_dump`, see the README.)

use anyhow::{Context, bail};
use sea_orm::{ConnectionTrait, DatabaseBackend, DatabaseConnection, Statement};
use std::path::Path;

pub async fn sqlite_backup(db: &DatabaseConnection, target: &Path) -> anyhow::Result<()> {
    if db.get_database_backend() != DatabaseBackend::Sqlite {
        bail!("plejelink backup is for SQLite; back up PostgreSQL with pg_dump");
    }
    if target.exists() {
        bail!("{} exists; choose a new file", target.display());
    }
    let path = target.to_str().context("the backup path must be UTF-8")?;
    db.execute_raw(Statement::from_sql_and_values(DatabaseBackend::Sqlite, "VACUUM INTO ?", [path.into()]))
        .await
        .with_context(|| format!("writing the backup to {path}"))?;
    Ok(())
}
