//! Connections and migrations for both backends (SQLite embedded, PostgreSQL in production).

use anyhow::{Context, bail};
use migration::{Migrator, MigratorTrait};
use sea_orm::sqlx::sqlite::{SqliteJournalMode, SqliteSynchronous};
use sea_orm::{
    ConnectOptions, ConnectionTrait, Database, DatabaseBackend, DatabaseConnection, DatabaseTransaction, DbErr,
    SqliteTransactionMode, Statement, TransactionOptions, TransactionTrait,
};
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{Mutex, OwnedMutexGuard};

const SQLITE_BUSY_TIMEOUT: Duration = Duration::from_secs(5);
/// Key of the PostgreSQL advisory lock held while migrating ("plejelnk" in ASCII).
const MIGRATION_LOCK_KEY: i64 = 0x706c_656a_656c_6e6b;

/// Each SQLite file's turn to write (SQLite has one writer at a time), shared by every pool of
/// this process on that file: write transactions queue here, first come first served, before
/// `BEGIN IMMEDIATE`. Left to SQLite's busy timeout alone they would poll for the lock up to
/// 100 ms apart, and under a steady stream of writers one of them could miss every gap until it
/// timed out.
static SQLITE_TURNS: std::sync::Mutex<BTreeMap<PathBuf, Arc<Mutex<()>>>> = std::sync::Mutex::new(BTreeMap::new());

fn sqlite_turn(db: &DatabaseConnection) -> Arc<Mutex<()>> {
    let file = db.get_sqlite_connection_pool().connect_options().get_filename().to_path_buf();
    SQLITE_TURNS.lock().unwrap_or_else(|e| e.into_inner()).entry(file).or_default().clone()
}

/// A write transaction from [`begin_write`]; on SQLite it holds the turn to write until it ends
/// (commit, rollback or drop).
pub struct WriteTxn {
    txn: DatabaseTransaction,
    _turn: Option<OwnedMutexGuard<()>>,
}

impl std::ops::Deref for WriteTxn {
    type Target = DatabaseTransaction;
    fn deref(&self) -> &DatabaseTransaction {
        &self.txn
    }
}

impl WriteTxn {
    pub async fn commit(self) -> Result<(), DbErr> {
        self.txn.commit().await
    }

    pub async fn rollback(self) -> Result<(), DbErr> {
        self.txn.rollback().await
    }
}

/// Begins a transaction that will write. On SQLite it waits for its turn to write in the file,
/// then takes SQLite's write lock at `BEGIN` (`IMMEDIATE`; waiting out the busy timeout for other
/// processes): a deferred transaction that reads first is refused the lock at its first write
/// with `SQLITE_BUSY` or `SQLITE_BUSY_SNAPSHOT` at once, whatever the busy timeout, whenever
/// another connection wrote since its read began. On PostgreSQL it is a plain `BEGIN`.
pub async fn begin_write(db: &DatabaseConnection) -> Result<WriteTxn, DbErr> {
    if db.get_database_backend() != DatabaseBackend::Sqlite {
        return Ok(WriteTxn { txn: db.begin().await?, _turn: None });
    }
    let turn = sqlite_turn(db).lock_owned().await;
    let options = TransactionOptions {
        sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate),
        ..TransactionOptions::default()
    };
    Ok(WriteTxn { txn: db.begin_with_options(options).await?, _turn: Some(turn) })
}

/// Opens a pool. SQLite gets WAL, `synchronous=FULL` (an acknowledged write survives power loss),
/// foreign keys and a busy timeout on every pooled connection; start-up fails if they did not take.
pub async fn connect(url: &str) -> anyhow::Result<DatabaseConnection> {
    let mut options = ConnectOptions::new(url);
    options.sqlx_logging(false).connect_timeout(Duration::from_secs(5)).acquire_timeout(Duration::from_secs(5));
    if url.starts_with("sqlite:") {
        if let Some(dir) = sqlite_path(url)
            .and_then(|path| std::path::Path::new(path).parent())
            .filter(|dir| !dir.as_os_str().is_empty())
        {
            std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
        }
        options
            .max_connections(8)
            .map_sqlx_sqlite_opts(|opts| {
                opts.journal_mode(SqliteJournalMode::Wal)
                    .synchronous(SqliteSynchronous::Full)
                    .foreign_keys(true)
                    .busy_timeout(SQLITE_BUSY_TIMEOUT)
            })
            .map_sqlx_sqlite_pool_opts(|pool| pool.after_release(|conn, _| Box::pin(closed_transaction(conn))));
    } else {
        options.max_connections(16);
    }
    let db = Database::connect(options).await.context("connecting to the database")?;
    if db.get_database_backend() == DatabaseBackend::Sqlite {
        verify_sqlite_pragmas(&db).await?;
    }
    Ok(db)
}

/// Whether a released SQLite connection may be reused. SQLite rolls a transaction back by itself
/// when a write fails with `SQLITE_FULL` (disk full) or an I/O error; sqlx then still counts it as
/// open, its `ROLLBACK` fails, and the next `BEGIN IMMEDIATE` on that connection would become a
/// `SAVEPOINT`: a deferred transaction that can keep the write lock after a failure and block
/// every other writer. Such a connection is closed instead (the ping runs after the queued
/// rollback).
async fn closed_transaction(conn: &mut sea_orm::sqlx::SqliteConnection) -> Result<bool, sea_orm::sqlx::Error> {
    use sea_orm::sqlx::Connection;
    conn.ping().await?;
    Ok(!conn.is_in_transaction())
}

fn sqlite_path(url: &str) -> Option<&str> {
    let rest = url.strip_prefix("sqlite://").or_else(|| url.strip_prefix("sqlite:"))?;
    let path = rest.split('?').next()?;
    (!path.is_empty() && !path.starts_with(":memory:")).then_some(path)
}

async fn pragma(db: &DatabaseConnection, name: &str) -> anyhow::Result<String> {
    let row = db
        .query_one_raw(Statement::from_string(DatabaseBackend::Sqlite, format!("PRAGMA {name}")))
        .await?
        .with_context(|| format!("PRAGMA {name} returned nothing"))?;
    Ok(match row.try_get_by_index::<String>(0) {
        Ok(text) => text.to_lowercase(),
        Err(_) => row.try_get_by_index::<i64>(0)?.to_string(),
    })
}

async fn verify_sqlite_pragmas(db: &DatabaseConnection) -> anyhow::Result<()> {
    let checks = [("journal_mode", "wal"), ("synchronous", "2"), ("foreign_keys", "1"), ("busy_timeout", "5000")];
    for (name, expected) in checks {
        let actual = pragma(db, name).await?;
        if actual != expected {
            bail!("SQLite PRAGMA {name} is {actual}, expected {expected}; refusing to start");
        }
    }
    Ok(())
}

/// Runs pending migrations. On PostgreSQL this holds an advisory lock on one dedicated
/// connection, so several instances starting at once migrate one after the other.
pub async fn migrate(url: &str) -> anyhow::Result<()> {
    if url.starts_with("sqlite:") {
        let db = connect(url).await?;
        Migrator::up(&db, None).await.context("running migrations")?;
        return Ok(());
    }
    let mut options = ConnectOptions::new(url);
    options.sqlx_logging(false).max_connections(1).min_connections(1);
    let db = Database::connect(options).await.context("connecting to the database")?;
    let backend = db.get_database_backend();
    let lock = |sql: &str| Statement::from_sql_and_values(backend, sql, [MIGRATION_LOCK_KEY.into()]);
    db.execute_raw(lock("SELECT pg_advisory_lock($1)")).await?;
    let result = Migrator::up(&db, None).await.context("running migrations");
    db.execute_raw(lock("SELECT pg_advisory_unlock($1)")).await?;
    db.close().await?;
    result
}

#[cfg(test)]
mod tests {
    use super::sqlite_path;

    #[test]
    fn finds_the_sqlite_file() {
        assert_eq!(sqlite_path("sqlite://./data/p.sqlite?mode=rwc"), Some("./data/p.sqlite"));
        assert_eq!(sqlite_path("sqlite::memory:"), None);
    }
}
