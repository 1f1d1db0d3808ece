//! A write lock held by another process (a script, `sqlite3` at a console) past SQLite's busy
//! timeout. A binary of its own: while the server waits out the busy timeout it holds the
//! process-wide access-log lock, which the servers of every other test in the same process
//! would wait for too.

use entities::observation;
use plejelink_tests::{Backend, error_code, spawn_app};
use sea_orm::{
    ColumnTrait, Database, EntityTrait, PaginatorTrait, QueryFilter, SqliteTransactionMode, TransactionOptions,
    TransactionTrait,
};
use serde_json::{Value, json};

const RECORD: &str = "mutation($i: RecordObservationInput!) { recordObservation(input: $i) { observation { id } } }";
const READ: &str = "query($id: ID!) { resident(id: $id) { id latestObservation { id } } }";

/// Another process holds SQLite's write lock past the busy timeout: a write is answered
/// `RATE_LIMITED` with `retryAfter`, a read whose access-log row cannot be written gets HTTP 503
/// with `Retry-After`, nothing is written, and both succeed once the lock is gone. (PostgreSQL
/// has no busy timeout: a writer there waits for the lock, within the 30 s request limit.)
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_a_write_lock_held_elsewhere_is_answered_rate_limited_with_a_retry_hint() {
    let app = spawn_app(Backend::Sqlite).await.expect("sqlite");
    let nurse = app.login("sygeplejerske.solhaven@demo.dk").await;
    let roster = app.data(&nurse, "{ careCentres { residents(first: 1) { edges { node { id } } } } }", json!({})).await;
    let resident = roster["careCentres"][0]["residents"]["edges"][0]["node"]["id"].clone();
    let id = uuid::Uuid::new_v4();
    let record = json!({ "i": { "clientMutationId": id, "residentId": resident,
        "recordedAt": app.now.to_rfc3339(), "pulse": 72 } });
    let read = || {
        app.client
            .post(format!("{}/graphql", app.address))
            .bearer_auth(&nurse)
            .json(&json!({ "query": READ, "variables": { "id": resident } }))
            .send()
    };

    let other = Database::connect(&app.database_url).await.expect("another connection");
    let immediate = TransactionOptions {
        sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate),
        ..TransactionOptions::default()
    };
    let lock = other.begin_with_options(immediate).await.expect("the write lock");

    let refused = app.gql(Some(&nurse), RECORD, record.clone()).await;
    assert_eq!(error_code(&refused), Some("RATE_LIMITED"), "{refused:#}");
    assert_eq!(refused["errors"][0]["extensions"]["retryAfter"], 1, "{refused:#}");
    assert_eq!(refused["errors"][0]["message"], "The database is busy; try again shortly");
    let response = read().await.expect("an answer");
    assert_eq!(response.status(), 503);
    assert_eq!(response.headers()["retry-after"], "1");
    let body: Value = response.json().await.expect("json");
    assert_eq!(error_code(&body), Some("RATE_LIMITED"), "no log, no answer: {body:#}");
    let stored = || observation::Entity::find().filter(observation::Column::ClientMutationId.eq(id)).count(&app.db);
    assert_eq!(stored().await.expect("count"), 0, "nothing written");

    lock.rollback().await.expect("release");
    app.data(&nurse, RECORD, record).await;
    assert_eq!(stored().await.expect("count"), 1, "the retry is stored");
    assert_eq!(read().await.expect("an answer").status(), 200);
}
