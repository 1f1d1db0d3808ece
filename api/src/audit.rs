//! The access log (DESIGN §7): one append-only row per resident touched per request, reads and
//! writes, denials too, chained by SHA-256 so that an edited or removed row breaks the chain.
//!
//! Reads are collected on the viewer's [`AuditTrail`] and written before the answer leaves
//! ([`AccessLog::flush`]); writes append their rows inside the write's own transaction
//! ([`AuditTxn`]). Appends are serialised: by a process-wide lock (SQLite has one writer anyway)
//! and, on PostgreSQL, by a transaction-scoped advisory lock shared by every instance. Reads that
//! wait for that lock meanwhile are appended together, in one transaction (a group commit): one
//! lock and one commit for many requests instead of one each.

use crate::auth::Viewer;
use crate::error::{AppError, AppResult};
use crate::ids::new_id;
use chrono::{DateTime, Utc};
use entities::audit_event;
use sea_orm::ActiveEnum;
use sea_orm::ActiveValue::Set;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseBackend, DatabaseConnection, DatabaseTransaction, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect, Statement,
};
use sha2::{Digest, Sha256};
use std::collections::BTreeSet;
use std::sync::{Arc, Mutex};
use tokio::sync::{Mutex as AsyncMutex, MutexGuard, oneshot};
use uuid::Uuid;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Action {
    Read,
    Write,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Outcome {
    Allowed,
    Denied,
}

impl Action {
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Read => "READ",
            Action::Write => "WRITE",
        }
    }
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Allowed => "ALLOWED",
            Outcome::Denied => "DENIED",
        }
    }
}

/// The residents one request touched; each distinct (resident, action, outcome) is one row.
#[derive(Debug, Default)]
pub struct AuditTrail {
    request: Mutex<(String, Option<String>)>,
    touches: Mutex<BTreeSet<(Uuid, Action, Outcome)>>,
}

impl AuditTrail {
    /// Names the request (its id and GraphQL operation) the rows belong to.
    pub fn set_request(&self, request_id: &str, operation: Option<&str>) {
        *self.request.lock().unwrap_or_else(|e| e.into_inner()) = (request_id.to_owned(), operation.map(str::to_owned));
    }

    /// Names the operation from the document when the request did not name it.
    fn name_operation(&self, operation: &str) {
        let mut request = self.request.lock().unwrap_or_else(|e| e.into_inner());
        request.1.get_or_insert_with(|| operation.to_owned());
    }

    pub fn touch(&self, resident: Uuid, action: Action, outcome: Outcome) {
        self.touches.lock().unwrap_or_else(|e| e.into_inner()).insert((resident, action, outcome));
    }

    fn take(&self) -> BTreeSet<(Uuid, Action, Outcome)> {
        std::mem::take(&mut *self.touches.lock().unwrap_or_else(|e| e.into_inner()))
    }

    fn request(&self) -> (String, Option<String>) {
        self.request.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }
}

/// The row of a write that concerns `resident` (none for a write about no resident).
fn wrote(resident: Option<Uuid>) -> Vec<(Uuid, Action, Outcome)> {
    resident.map(|r| (r, Action::Write, Outcome::Allowed)).into_iter().collect()
}

static APPEND: AsyncMutex<()> = AsyncMutex::const_new(());
/// Advisory lock key for appends on PostgreSQL ("plejaudt").
const APPEND_LOCK_KEY: i64 = 0x706c_656a_6175_6474;
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// A transaction that may append audit rows; holds the append lock until it ends, so a write
/// transaction should begin with it (not take it halfway, after its own writes).
pub struct AuditTxn {
    txn: crate::db::WriteTxn,
    _guard: MutexGuard<'static, ()>,
}

impl std::ops::Deref for AuditTxn {
    type Target = DatabaseTransaction;
    fn deref(&self) -> &DatabaseTransaction {
        &self.txn
    }
}

/// Begins a write transaction that may append to the access log ([`crate::db::begin_write`]: on
/// SQLite it takes the write lock at `BEGIN`, so it cannot fail halfway with "database is
/// locked" when another writer got there first).
pub async fn begin(db: &DatabaseConnection) -> AppResult<AuditTxn> {
    begin_locked(db, APPEND.lock().await).await
}

async fn begin_locked(db: &DatabaseConnection, guard: MutexGuard<'static, ()>) -> AppResult<AuditTxn> {
    let txn = crate::db::begin_write(db).await?;
    if txn.get_database_backend() == DatabaseBackend::Postgres {
        txn.execute_raw(Statement::from_sql_and_values(
            DatabaseBackend::Postgres,
            "SELECT pg_advisory_xact_lock($1)",
            [APPEND_LOCK_KEY.into()],
        ))
        .await?;
    }
    Ok(AuditTxn { txn, _guard: guard })
}

impl AuditTxn {
    /// Appends rows for `touches` by `viewer` (plus what the viewer's trail collected so far).
    pub async fn append(
        &self,
        viewer: &Viewer,
        touches: &[(Uuid, Action, Outcome)],
        now: DateTime<Utc>,
    ) -> AppResult<()> {
        let mut entry = Entry::of(viewer, now);
        entry.touches.extend(touches.iter().copied());
        self.append_entries(&[entry]).await
    }

    /// Appends the entries' rows in order, continuing the chain from its last row.
    async fn append_entries(&self, entries: &[Entry]) -> AppResult<()> {
        if entries.iter().all(|entry| entry.touches.is_empty()) {
            return Ok(());
        }
        let last = audit_event::Entity::find().order_by_desc(audit_event::Column::Seq).limit(1).one(&*self.txn).await?;
        let (mut seq, mut prev) = last.map_or((0, GENESIS.to_owned()), |e| (e.seq, e.hash));
        let mut rows = Vec::with_capacity(entries.iter().map(|entry| entry.touches.len()).sum());
        for entry in entries {
            for &(resident, action, outcome) in &entry.touches {
                seq += 1;
                let row = Row {
                    seq,
                    at: entry.at,
                    actor_id: Some(entry.actor_id),
                    actor_role: entry.actor_role.clone(),
                    action: action.as_str().into(),
                    resident_id: Some(resident),
                    operation_name: entry.operation.clone(),
                    request_id: entry.request_id.clone(),
                    outcome: outcome.as_str().into(),
                    prev_hash: prev,
                };
                let hash = row.hash();
                prev = hash.clone();
                rows.push(Stored { id: new_id(), row, hash });
            }
        }
        match self.txn.get_database_backend() {
            DatabaseBackend::Postgres => {
                let rows = serde_json::to_string(&rows).map_err(AppError::internal)?;
                self.txn
                    .execute_raw(Statement::from_sql_and_values(DatabaseBackend::Postgres, INSERT_JSON, [rows.into()]))
                    .await?;
            }
            _ => {
                let mut rows = rows.into_iter().map(Stored::into_active_model).peekable();
                while rows.peek().is_some() {
                    audit_event::Entity::insert_many(rows.by_ref().take(500))
                        .exec_without_returning(&*self.txn)
                        .await?;
                }
            }
        }
        Ok(())
    }

    pub async fn commit(self) -> AppResult<()> {
        Ok(self.txn.commit().await?)
    }

    /// Appends the row of a write about `resident` (none for a write about no resident) and commits.
    pub async fn commit_write(self, viewer: &Viewer, resident: Option<Uuid>, now: DateTime<Utc>) -> AppResult<()> {
        self.append(viewer, &wrote(resident), now).await?;
        self.commit().await
    }

    pub async fn rollback(self) -> AppResult<()> {
        Ok(self.txn.rollback().await?)
    }
}

/// On PostgreSQL the rows go in as one JSON parameter: the statement's text is the same for any
/// number of rows, so it stays prepared (a multi-row `VALUES` list was a new statement, parsed
/// and planned with up to 7,000 parameters, for every size of group). On SQLite, where a
/// statement is prepared in-process, inserts of fixed sizes saved only 3 % of the instructions of
/// (c) (callgrind) and cost more statements per request: one multi-row `VALUES` list it is.
const INSERT_JSON: &str = r#"INSERT INTO audit_events
    (id, seq, at, actor_id, actor_role, action, resident_id, operation_name, request_id, outcome, prev_hash, hash, created_at, updated_at)
SELECT id, seq, at, actor_id, actor_role, action, resident_id, operation_name, request_id, outcome, prev_hash, hash, at, at
FROM json_to_recordset($1::json) AS r(id uuid, seq bigint, at timestamptz, actor_id uuid, actor_role text, action text,
    resident_id uuid, operation_name text, request_id text, outcome text, prev_hash text, hash text)"#;

fn micros(at: DateTime<Utc>) -> DateTime<Utc> {
    DateTime::from_timestamp_micros(at.timestamp_micros()).unwrap_or(at)
}

/// The fields a row's hash covers.
#[derive(serde::Serialize)]
struct Row {
    seq: i64,
    at: DateTime<Utc>,
    actor_id: Option<Uuid>,
    actor_role: String,
    action: String,
    resident_id: Option<Uuid>,
    operation_name: Option<String>,
    request_id: String,
    outcome: String,
    prev_hash: String,
}

impl Row {
    fn of(e: &audit_event::Model) -> Self {
        Row {
            seq: e.seq,
            at: e.at,
            actor_id: e.actor_id,
            actor_role: e.actor_role.clone(),
            action: e.action.clone(),
            resident_id: e.resident_id,
            operation_name: e.operation_name.clone(),
            request_id: e.request_id.clone(),
            outcome: e.outcome.clone(),
            prev_hash: e.prev_hash.clone(),
        }
    }

    fn hash(&self) -> String {
        let text = serde_json::json!([
            self.seq,
            self.at.timestamp_micros(),
            self.actor_id,
            self.actor_role,
            self.action,
            self.resident_id,
            self.operation_name,
            self.request_id,
            self.outcome,
            self.prev_hash,
        ])
        .to_string();
        const HEX: &[u8; 16] = b"0123456789abcdef";
        let digest = Sha256::digest(text.as_bytes());
        let mut hex = String::with_capacity(2 * digest.len());
        for byte in digest {
            hex.push(char::from(HEX[usize::from(byte >> 4)]));
            hex.push(char::from(HEX[usize::from(byte & 0xf)]));
        }
        hex
    }
}

/// A row as stored: its hash and an id.
#[derive(serde::Serialize)]
struct Stored {
    id: Uuid,
    #[serde(flatten)]
    row: Row,
    hash: String,
}

impl Stored {
    fn into_active_model(self) -> audit_event::ActiveModel {
        let Stored { id, row, hash } = self;
        audit_event::ActiveModel {
            id: Set(id),
            seq: Set(row.seq),
            at: Set(row.at),
            actor_id: Set(row.actor_id),
            actor_role: Set(row.actor_role),
            action: Set(row.action),
            resident_id: Set(row.resident_id),
            operation_name: Set(row.operation_name),
            request_id: Set(row.request_id),
            outcome: Set(row.outcome),
            prev_hash: Set(row.prev_hash),
            hash: Set(hash),
            created_at: Set(row.at),
            updated_at: Set(row.at),
        }
    }
}

/// One request's rows: who, which request, when, and the residents touched.
struct Entry {
    actor_id: Uuid,
    actor_role: String,
    request_id: String,
    operation: Option<String>,
    at: DateTime<Utc>,
    touches: BTreeSet<(Uuid, Action, Outcome)>,
}

impl Entry {
    /// The viewer's request with what its trail collected so far (the trail is emptied).
    fn of(viewer: &Viewer, now: DateTime<Utc>) -> Self {
        let (request_id, operation) = viewer.audit.request();
        Entry {
            actor_id: viewer.user_id,
            actor_role: viewer.role.to_value(),
            request_id,
            operation,
            at: micros(now),
            touches: viewer.audit.take(),
        }
    }
}

/// A request's rows waiting for the append lock, and where to say that they are committed.
struct Waiting {
    entry: Entry,
    committed: oneshot::Sender<AppResult<()>>,
}

/// Where reads are logged: the database, and the reads waiting to be appended to it.
#[derive(Clone)]
pub struct AccessLog {
    db: DatabaseConnection,
    waiting: Arc<Mutex<Vec<Waiting>>>,
}

impl AccessLog {
    pub fn new(db: DatabaseConnection) -> Self {
        AccessLog { db, waiting: Arc::default() }
    }

    /// Writes the reads the viewer's request collected and returns once they are committed (the
    /// answer must not leave before). Whoever gets the append lock appends every request waiting
    /// for it at that moment, in one transaction; the others are told the outcome. The append
    /// runs in a task of its own, so a request that goes away (client gone, timeout) cannot leave
    /// the others' rows half-written or unanswered.
    pub async fn flush(&self, viewer: &Viewer, now: DateTime<Utc>) -> AppResult<()> {
        let entry = Entry::of(viewer, now);
        if entry.touches.is_empty() {
            return Ok(());
        }
        let (committed, outcome) = oneshot::channel();
        self.waiting.lock().unwrap_or_else(|e| e.into_inner()).push(Waiting { entry, committed });
        let guard = APPEND.lock().await;
        let batch = std::mem::take(&mut *self.waiting.lock().unwrap_or_else(|e| e.into_inner()));
        if batch.is_empty() {
            // An earlier holder of the lock took this request's rows along.
            drop(guard);
        } else {
            let db = self.db.clone();
            tokio::spawn(async move {
                let (entries, waiting): (Vec<_>, Vec<_>) =
                    batch.into_iter().map(|waiting| (waiting.entry, waiting.committed)).unzip();
                let result = append_and_commit(&db, guard, &entries).await;
                for committed in waiting {
                    let _ = committed.send(result.clone());
                }
            });
        }
        outcome.await.unwrap_or_else(|_| Err(AppError::internal(anyhow::anyhow!("access-log append task ended"))))
    }
}

async fn append_and_commit(
    db: &DatabaseConnection,
    guard: MutexGuard<'static, ()>,
    entries: &[Entry],
) -> AppResult<()> {
    let txn = begin_locked(db, guard).await?;
    txn.append_entries(entries).await?;
    txn.commit().await
}

/// The result of checking the chain.
#[derive(Debug, PartialEq, Eq)]
pub enum Verification {
    Intact {
        rows: u64,
    },
    /// The first row whose hash, link or sequence does not hold.
    Broken {
        seq: i64,
        reason: &'static str,
    },
}

/// Walks the chain in order of `seq`, a page at a time.
pub async fn verify(db: &DatabaseConnection) -> AppResult<Verification> {
    let mut prev = GENESIS.to_owned();
    let mut expected_seq = 1;
    let mut rows = 0u64;
    loop {
        let page = audit_event::Entity::find()
            .filter(audit_event::Column::Seq.gte(expected_seq))
            .order_by_asc(audit_event::Column::Seq)
            .limit(1000)
            .all(db)
            .await?;
        if page.is_empty() {
            return Ok(Verification::Intact { rows });
        }
        for event in page {
            if event.seq != expected_seq {
                return Ok(Verification::Broken { seq: expected_seq, reason: "row missing" });
            }
            if event.prev_hash != prev {
                return Ok(Verification::Broken { seq: event.seq, reason: "link to the previous row broken" });
            }
            if Row::of(&event).hash() != event.hash {
                return Ok(Verification::Broken { seq: event.seq, reason: "row altered" });
            }
            prev = event.hash;
            expected_seq += 1;
            rows += 1;
        }
    }
}

/// Names the viewer's request in the access log after the document's (first) operation
/// (`query Beboer { … }`), when the request did not send `operationName`.
pub fn name_operation(viewer: &Viewer, document: &async_graphql::parser::types::ExecutableDocument) {
    if let Some((Some(name), _)) = document.operations.iter().next() {
        viewer.audit.name_operation(name.as_str());
    }
}
