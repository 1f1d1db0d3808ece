//! The floor: the SQL statements Plejelink issues for operations (a)–(c) on PostgreSQL, as its
//! statement log shows them (`log_statement = 'all'`, captured for docs/performance.md), run
//! directly over a sea-orm/sqlx pool of 16 connections: the viewer's scope, the operation's
//! reads (statements the server's DataLoader runs at once run at once here too) and the
//! access-log append with its hash chain intact. What the server spends beyond this is HTTP,
//! GraphQL, authorization and serialisation.

use crate::engine::Job;
use crate::ops::{Op, pick};
use crate::world::World;
use chrono::{DateTime, Duration, Utc};
use sea_orm::{
    ConnectionTrait, DatabaseBackend, DatabaseConnection, DbErr, QueryResult, Statement, TransactionTrait, Value,
};
use sha2::{Digest, Sha256};
use std::sync::{Arc, Mutex};
use tokio::sync::{Mutex as AsyncMutex, oneshot};
use uuid::Uuid;

const USER: &str = r#"SELECT "users"."id", "users"."email", "users"."password_hash", "users"."display_name", "users"."role", "users"."locale", "users"."active", "users"."tokens_valid_after", "users"."version", "users"."created_at", "users"."updated_at" FROM "users" WHERE "users"."id" = $1 LIMIT $2"#;
const DOCTOR: &str = r#"SELECT "doctors"."id", "doctors"."user_id", "doctors"."authorisation_id", "doctors"."practice_name", "doctors"."phone", "doctors"."created_at", "doctors"."updated_at" FROM "doctors" WHERE "doctors"."user_id" = $1 LIMIT $2"#;
const ATTACHMENTS: &str = r#"SELECT "doctor_attachments"."care_centre_id" FROM "doctor_attachments" WHERE "doctor_attachments"."doctor_id" = $1 AND "doctor_attachments"."ended_at" IS NULL"#;
const MEMBERSHIPS: &str = r#"SELECT "staff_memberships"."care_centre_id" FROM "staff_memberships" WHERE "staff_memberships"."user_id" = $1 AND "staff_memberships"."ended_at" IS NULL"#;

const QUESTION_COLUMNS: &str = r#""questions"."id", "questions"."care_centre_id", "questions"."resident_id", "questions"."asked_by", "questions"."doctor_id", "questions"."subject", "questions"."body", "questions"."category", "questions"."priority", "questions"."status", "questions"."asked_at", "questions"."due_at", "questions"."answered_at", "questions"."closed_at", "questions"."override_reason", "questions"."missing_vitals", "questions"."client_mutation_id", "questions"."payload_hash", "questions"."version", "questions"."created_at", "questions"."updated_at""#;
const RESIDENT_COLUMNS: &str = r#""residents"."id", "residents"."care_centre_id", "residents"."full_name", "residents"."search_text", "residents"."date_of_birth", "residents"."room", "residents"."moved_in_on", "residents"."status", "residents"."gp_doctor_id", "residents"."external_gp_name", "residents"."external_gp_clinic", "residents"."spo2_scale", "residents"."intake_stage", "residents"."version", "residents"."created_at", "residents"."updated_at""#;
const OBSERVATION_NAMES: &[&str] = &[
    "id",
    "resident_id",
    "recorded_at",
    "received_at",
    "recorded_by",
    "respiration_rate",
    "oxygen_saturation",
    "on_supplemental_oxygen",
    "systolic_bp",
    "diastolic_bp",
    "pulse",
    "consciousness",
    "temperature",
    "blood_glucose",
    "weight_kg",
    "pain_score",
    "note",
    "news2_total",
    "news2_risk",
    "news2_complete",
    "news2_any_single_three",
    "client_mutation_id",
    "payload_hash",
    "entered_in_error",
    "entered_in_error_reason",
    "entered_in_error_at",
    "entered_in_error_by",
    "created_at",
    "updated_at",
];
const AUDIT_COLUMNS: &str = r#""audit_events"."id", "audit_events"."seq", "audit_events"."at", "audit_events"."actor_id", "audit_events"."actor_role", "audit_events"."action", "audit_events"."resident_id", "audit_events"."operation_name", "audit_events"."request_id", "audit_events"."outcome", "audit_events"."prev_hash", "audit_events"."hash", "audit_events"."created_at", "audit_events"."updated_at""#;
/// Key of Plejelink's advisory lock for access-log appends (api/src/audit.rs).
const APPEND_LOCK_KEY: i64 = 0x706c_656a_6175_6474;
/// The access-log insert, every row as one JSON parameter (api/src/audit.rs `INSERT_JSON`).
const AUDIT_INSERT: &str = r#"INSERT INTO audit_events
    (id, seq, at, actor_id, actor_role, action, resident_id, operation_name, request_id, outcome, prev_hash, hash, created_at, updated_at)
SELECT id, seq, at, actor_id, actor_role, action, resident_id, operation_name, request_id, outcome, prev_hash, hash, at, at
FROM json_to_recordset($1::json) AS r(id uuid, seq bigint, at timestamptz, actor_id uuid, actor_role text, action text,
    resident_id uuid, operation_name text, request_id text, outcome text, prev_hash text, hash text)"#;

fn observation_columns(alias: Option<&str>) -> String {
    OBSERVATION_NAMES
        .iter()
        .map(|c| match alias {
            Some(prefix) => format!(r#""observations"."{c}" AS "{prefix}{c}""#),
            None => format!(r#""observations"."{c}""#),
        })
        .collect::<Vec<_>>()
        .join(", ")
}

fn placeholders(from: usize, count: usize) -> String {
    (from..from + count).map(|i| format!("${i}")).collect::<Vec<_>>().join(", ")
}

fn uuid(id: Uuid) -> Value {
    Value::Uuid(Some(id))
}

fn at(time: DateTime<Utc>) -> Value {
    Value::ChronoDateTimeUtc(Some(time))
}

fn statement(sql: &str, values: Vec<Value>) -> Statement {
    Statement::from_sql_and_values(DatabaseBackend::Postgres, sql, values)
}

fn ids(rows: &[QueryResult], column: &str) -> Vec<Uuid> {
    let mut ids: Vec<Uuid> = rows.iter().filter_map(|r| r.try_get::<Option<Uuid>>("", column).ok().flatten()).collect();
    ids.sort();
    ids.dedup();
    ids
}

pub struct Floor {
    pub db: DatabaseConnection,
    pub world: Arc<World>,
    /// With the access-log append of each request (group commit: the requests waiting for the
    /// append lock are appended together, in one transaction, as the server does); without it,
    /// the reads alone: what the database answers at best.
    pub audit: bool,
    log: AccessLog,
}

impl Floor {
    pub fn new(db: DatabaseConnection, world: Arc<World>, audit: bool) -> Self {
        Self { db, world, audit, log: AccessLog::default() }
    }

    /// Operations (a)–(c) on PostgreSQL.
    pub fn job(&self, op: Op) -> Option<Job> {
        if !matches!(op, Op::Queue | Op::Trend | Op::Residents)
            || self.db.get_database_backend() != DatabaseBackend::Postgres
        {
            return None;
        }
        let (db, world, log) = (self.db.clone(), self.world.clone(), self.audit.then(|| self.log.clone()));
        Some(Arc::new(move |n| {
            let (db, world, log) = (db.clone(), world.clone(), log.clone());
            Box::pin(async move {
                let log = log.as_ref();
                let result = match op {
                    Op::Queue => queue(&db, &world, n, log).await,
                    Op::Trend => trend(&db, &world, n, log).await,
                    _ => residents(&db, &world, n, log).await,
                };
                result.map_err(|e| e.to_string())
            })
        }))
    }
}

async fn all(db: &impl ConnectionTrait, sql: &str, values: Vec<Value>) -> Result<Vec<QueryResult>, DbErr> {
    db.query_all_raw(statement(sql, values)).await
}

/// The staff viewer: the user and their centres.
async fn staff_viewer(db: &DatabaseConnection, user: Uuid) -> Result<(), DbErr> {
    all(db, USER, vec![uuid(user), Value::BigUnsigned(Some(1))]).await?;
    all(db, MEMBERSHIPS, vec![uuid(user)]).await?;
    Ok(())
}

/// (a) as `laege.*` asks it.
async fn queue(db: &DatabaseConnection, world: &World, n: u64, log: Option<&AccessLog>) -> Result<(), DbErr> {
    let doctor = pick(&world.doctors, n);
    let now = Utc::now();
    all(db, USER, vec![uuid(doctor.user_id), Value::BigUnsigned(Some(1))]).await?;
    all(db, DOCTOR, vec![uuid(doctor.user_id), Value::BigUnsigned(Some(1))]).await?;
    all(db, ATTACHMENTS, vec![uuid(doctor.doctor_id)]).await?;
    let scope = format!(
        r#"FROM "questions" WHERE "questions"."doctor_id" = $1 AND "questions"."care_centre_id" IN ({}) AND "questions"."status" = ${}"#,
        placeholders(2, doctor.centres.len()),
        doctor.centres.len() + 2
    );
    let mut values = vec![uuid(doctor.doctor_id)];
    values.extend(doctor.centres.iter().map(|c| uuid(*c)));
    values.push(Value::from("OPEN"));
    let count = format!(r#"SELECT COUNT(*) AS num_items FROM (SELECT {QUESTION_COLUMNS} {scope}) AS "sub_query""#);
    all(db, &count, values.clone()).await?;
    let k = values.len();
    let page = format!(
        r#"SELECT {QUESTION_COLUMNS} {scope} ORDER BY (CASE WHEN ("questions"."due_at" < ${}) THEN ${} ELSE ${} END) ASC, (CASE WHEN ("questions"."priority" = ${}) THEN ${} ELSE ${} END) ASC, "questions"."due_at" ASC, "questions"."id" ASC LIMIT ${} OFFSET ${}"#,
        k + 1,
        k + 2,
        k + 3,
        k + 4,
        k + 5,
        k + 6,
        k + 7,
        k + 8
    );
    values.extend([
        at(now),
        Value::Int(Some(0)),
        Value::Int(Some(1)),
        Value::from("URGENT"),
        Value::Int(Some(0)),
        Value::Int(Some(1)),
        Value::BigUnsigned(Some(20)),
        Value::BigUnsigned(Some(0)),
    ]);
    let questions = all(db, &page, values).await?;
    let question_ids = ids(&questions, "id");
    let resident_ids = ids(&questions, "resident_id");
    // One DataLoader round: attached observations and residents, then their latest observations.
    let attached = format!(
        r#"SELECT "question_observations"."id" AS "A_id", "question_observations"."question_id" AS "A_question_id", "question_observations"."observation_id" AS "A_observation_id", "question_observations"."created_at" AS "A_created_at", "question_observations"."updated_at" AS "A_updated_at", {} FROM "question_observations" LEFT JOIN "observations" ON "question_observations"."observation_id" = "observations"."id" WHERE "question_observations"."question_id" IN ({}) ORDER BY "question_observations"."created_at" ASC"#,
        observation_columns(Some("B_")),
        placeholders(1, question_ids.len())
    );
    let residents = format!(
        r#"SELECT {RESIDENT_COLUMNS} FROM "residents" WHERE "residents"."id" IN ({})"#,
        placeholders(1, resident_ids.len())
    );
    let (a, r) = tokio::join!(
        all(db, &attached, question_ids.iter().map(|q| uuid(*q)).collect()),
        all(db, &residents, resident_ids.iter().map(|r| uuid(*r)).collect())
    );
    a?;
    r?;
    latest(db, &resident_ids).await?;
    let Some(log) = log else { return Ok(()) };
    log.flush(db, Entry::new(doctor.user_id, "DOCTOR", "DoctorQueue", resident_ids)).await
}

/// The latest valid observation of each resident (the server's DataLoader, api/src/graphql/loaders.rs).
async fn latest(db: &DatabaseConnection, residents: &[Uuid]) -> Result<Vec<QueryResult>, DbErr> {
    if residents.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        r#"SELECT {} FROM "observations" WHERE "observations"."id" IN (SELECT (SELECT "id" FROM "observations" WHERE "observations"."resident_id" = "residents"."column1" AND "observations"."entered_in_error" = $1 ORDER BY "observations"."recorded_at" DESC, "observations"."id" DESC LIMIT $2) FROM (VALUES {}) AS "residents")"#,
        observation_columns(None),
        (3..3 + residents.len()).map(|i| format!("(${i})")).collect::<Vec<_>>().join(", ")
    );
    let mut values = vec![Value::Bool(Some(false)), Value::BigUnsigned(Some(1))];
    values.extend(residents.iter().map(|r| uuid(*r)));
    all(db, &sql, values).await
}

/// (b) as a nurse of the resident's centre asks it.
async fn trend(db: &DatabaseConnection, world: &World, n: u64, log: Option<&AccessLog>) -> Result<(), DbErr> {
    let nurse = pick(&world.nurses, n);
    let resident = *pick(world.residents_of(nurse.centre), n >> 7);
    let now = Utc::now();
    let from = now - Duration::days(30);
    staff_viewer(db, nurse.user_id).await?;
    let get = format!(
        r#"SELECT {RESIDENT_COLUMNS} FROM "residents" WHERE "residents"."id" = $1 AND "residents"."care_centre_id" IN ($2) LIMIT $3"#
    );
    all(db, &get, vec![uuid(resident), uuid(nurse.centre), Value::BigUnsigned(Some(1))]).await?;
    let columns = observation_columns(None);
    let window =
        r#"FROM "observations" WHERE "observations"."resident_id" = $1 AND "observations"."recorded_at" >= $2"#;
    let count = format!(r#"SELECT COUNT(*) AS num_items FROM (SELECT {columns} {window}) AS "sub_query""#);
    let page = format!(
        r#"SELECT {columns} {window} ORDER BY "observations"."recorded_at" DESC, "observations"."id" DESC LIMIT $3 OFFSET $4"#
    );
    let trend = format!(
        r#"SELECT {columns} FROM "observations" WHERE "observations"."resident_id" = $1 AND "observations"."entered_in_error" = $2 AND "observations"."recorded_at" >= $3 ORDER BY "observations"."recorded_at" ASC"#
    );
    // The two fields resolve at once: count and page one after the other, the trend beside them.
    let observations = async {
        all(db, &count, vec![uuid(resident), at(from)]).await?;
        all(db, &page, vec![uuid(resident), at(from), Value::BigUnsigned(Some(100)), Value::BigUnsigned(Some(0))]).await
    };
    let (o, t) = tokio::join!(observations, all(db, &trend, vec![uuid(resident), Value::Bool(Some(false)), at(from)]));
    o?;
    t?;
    let Some(log) = log else { return Ok(()) };
    log.flush(db, Entry::new(nurse.user_id, "NURSE", "ResidentTrend", vec![resident])).await
}

/// (c) as a nurse or coordinator of the centre asks it.
async fn residents(db: &DatabaseConnection, world: &World, n: u64, log: Option<&AccessLog>) -> Result<(), DbErr> {
    let staff = if n % 4 == 3 && !world.coordinators.is_empty() {
        pick(&world.coordinators, n)
    } else {
        pick(&world.nurses, n)
    };
    staff_viewer(db, staff.user_id).await?;
    let scope = r#"FROM "residents" WHERE "residents"."care_centre_id" IN ($1) AND "residents"."care_centre_id" = $2"#;
    let count = format!(r#"SELECT COUNT(*) AS num_items FROM (SELECT {RESIDENT_COLUMNS} {scope}) AS "sub_query""#);
    all(db, &count, vec![uuid(staff.centre), uuid(staff.centre)]).await?;
    let page = format!(
        r#"SELECT {RESIDENT_COLUMNS} {scope} ORDER BY "residents"."full_name" ASC, "residents"."id" ASC LIMIT $3 OFFSET $4"#
    );
    let rows = all(
        db,
        &page,
        vec![uuid(staff.centre), uuid(staff.centre), Value::BigUnsigned(Some(60)), Value::BigUnsigned(Some(0))],
    )
    .await?;
    let residents = ids(&rows, "id");
    let open = format!(
        r#"SELECT "questions"."resident_id" FROM "questions" WHERE "questions"."resident_id" IN ({}) AND "questions"."status" = ${}"#,
        placeholders(1, residents.len()),
        residents.len() + 1
    );
    let mut values: Vec<Value> = residents.iter().map(|r| uuid(*r)).collect();
    values.push(Value::from("OPEN"));
    let (l, q) = tokio::join!(latest(db, &residents), all(db, &open, values));
    l?;
    q?;
    let Some(log) = log else { return Ok(()) };
    log.flush(db, Entry::new(staff.user_id, &staff.role, "Residents", residents)).await
}

/// One request's access-log rows: who, which request, when, and the residents it read.
struct Entry {
    actor: Uuid,
    role: String,
    operation: &'static str,
    request_id: String,
    at: DateTime<Utc>,
    residents: Vec<Uuid>,
}

impl Entry {
    fn new(actor: Uuid, role: &str, operation: &'static str, residents: Vec<Uuid>) -> Self {
        let now = Utc::now();
        Entry {
            actor,
            role: role.to_owned(),
            operation,
            request_id: Uuid::now_v7().to_string(),
            at: DateTime::from_timestamp_micros(now.timestamp_micros()).unwrap_or(now),
            residents,
        }
    }
}

/// A request's rows waiting for the append lock, and where to say that they are committed.
struct Waiting {
    entry: Entry,
    committed: oneshot::Sender<Result<(), String>>,
}

/// The server's group commit (api/src/audit.rs `AccessLog`): the reads waiting to be appended,
/// and the lock that serialises appends.
#[derive(Clone, Default)]
struct AccessLog {
    waiting: Arc<Mutex<Vec<Waiting>>>,
    append: Arc<AsyncMutex<()>>,
}

impl AccessLog {
    /// Appends the request's rows and returns once they are committed: whoever gets the append
    /// lock appends every request waiting at that moment, in one transaction of its own task,
    /// and tells the others the outcome.
    async fn flush(&self, db: &DatabaseConnection, entry: Entry) -> Result<(), DbErr> {
        if entry.residents.is_empty() {
            return Ok(());
        }
        let (committed, outcome) = oneshot::channel();
        self.waiting.lock().unwrap_or_else(|e| e.into_inner()).push(Waiting { entry, committed });
        let guard = self.append.clone().lock_owned().await;
        let batch = std::mem::take(&mut *self.waiting.lock().unwrap_or_else(|e| e.into_inner()));
        if batch.is_empty() {
            // An earlier holder of the lock took this request's rows along.
            drop(guard);
        } else {
            let db = db.clone();
            tokio::spawn(async move {
                let (entries, waiting): (Vec<_>, Vec<_>) =
                    batch.into_iter().map(|waiting| (waiting.entry, waiting.committed)).unzip();
                let result = append(&db, &entries).await.map_err(|e| e.to_string());
                drop(guard);
                for committed in waiting {
                    let _ = committed.send(result.clone());
                }
            });
        }
        outcome.await.map_err(|_| DbErr::Custom("access-log append task ended".into()))?.map_err(DbErr::Custom)
    }
}

/// The access-log append of the waiting reads: lock, last row, one insert of every row (as one
/// JSON parameter), commit; the hash of each row as api/src/audit.rs makes it, so the chain stays verifiable.
async fn append(db: &DatabaseConnection, entries: &[Entry]) -> Result<(), DbErr> {
    let txn = db.begin().await?;
    txn.execute_raw(statement("SELECT pg_advisory_xact_lock($1)", vec![Value::BigInt(Some(APPEND_LOCK_KEY))])).await?;
    let last = format!(r#"SELECT {AUDIT_COLUMNS} FROM "audit_events" ORDER BY "audit_events"."seq" DESC LIMIT $1"#);
    let last = txn.query_one_raw(statement(&last, vec![Value::BigUnsigned(Some(1))])).await?;
    let (mut seq, mut prev) = match last {
        Some(row) => (row.try_get::<i64>("", "seq")?, row.try_get::<String>("", "hash")?),
        None => (0, "0".repeat(64)),
    };
    let mut rows = Vec::with_capacity(entries.iter().map(|e| e.residents.len()).sum());
    for entry in entries {
        for resident in &entry.residents {
            seq += 1;
            let text = serde_json::json!([
                seq,
                entry.at.timestamp_micros(),
                Some(entry.actor),
                entry.role,
                "READ",
                Some(resident),
                Some(entry.operation),
                entry.request_id,
                "ALLOWED",
                prev
            ])
            .to_string();
            let hash: String = Sha256::digest(text.as_bytes()).iter().map(|b| format!("{b:02x}")).collect();
            rows.push(serde_json::json!({
                "id": Uuid::now_v7(),
                "seq": seq,
                "at": entry.at,
                "actor_id": entry.actor,
                "actor_role": entry.role,
                "action": "READ",
                "resident_id": resident,
                "operation_name": entry.operation,
                "request_id": entry.request_id,
                "outcome": "ALLOWED",
                "prev_hash": prev,
                "hash": hash,
            }));
            prev = hash;
        }
    }
    let rows = serde_json::Value::Array(rows).to_string();
    txn.execute_raw(statement(AUDIT_INSERT, vec![Value::from(rows)])).await?;
    txn.commit().await
}
