//! The access log: one row per resident touched per request (reads, writes, denials), written
//! with the write or before the answer leaves, append-only and hash-chained.

use entities::audit_event;
use plejelink::audit::{Verification, verify};
use plejelink_tests::{Backend, TestApp, backends, error_code};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, Statement};
use serde_json::{Value, json};

const NURSE_S: &str = "sygeplejerske.solhaven@demo.dk";

async fn first_resident(app: &TestApp, token: &str) -> (Value, uuid::Uuid) {
    let centres = app.data(token, "{ careCentres { id } }", json!({})).await;
    let data = app
        .data(
            token,
            "query($c: ID!) { residents(careCentreId: $c, first: 1) { edges { node { id fullName } } } }",
            json!({ "c": centres["careCentres"][0]["id"] }),
        )
        .await;
    let id = data["residents"]["edges"][0]["node"]["id"].clone();
    let name = data["residents"]["edges"][0]["node"]["fullName"].as_str().expect("name").to_owned();
    let resident = entities::resident::Entity::find()
        .filter(entities::resident::Column::FullName.eq(name))
        .one(&app.db)
        .await
        .expect("q")
        .expect("resident");
    (id, resident.id)
}

async fn rows(app: &TestApp, resident: uuid::Uuid) -> Vec<audit_event::Model> {
    audit_event::Entity::find()
        .filter(audit_event::Column::ResidentId.eq(resident))
        .order_by_asc(audit_event::Column::Seq)
        .all(&app.db)
        .await
        .expect("q")
}

async fn reads_writes_and_denials_are_logged(app: TestApp) {
    let nurse = app.login(NURSE_S).await;
    let (id, uuid) = first_resident(&app, &nurse).await;
    let before = rows(&app, uuid).await.len();
    app.data(&nurse, "query Beboer($id: ID!) { resident(id: $id) { fullName } }", json!({ "id": id })).await;
    let logged = rows(&app, uuid).await;
    let read = logged.last().expect("a row");
    assert_eq!(logged.len(), before + 1, "one row per resident per request");
    assert_eq!((read.action.as_str(), read.outcome.as_str(), read.actor_role.as_str()), ("READ", "ALLOWED", "NURSE"));
    assert_eq!(read.operation_name.as_deref(), Some("Beboer"));

    let other = app.login("sygeplejerske.lindegaarden@demo.dk").await;
    let body = app.gql(Some(&other), "query($id: ID!) { resident(id: $id) { fullName } }", json!({ "id": id })).await;
    assert_eq!(error_code(&body), Some("NOT_FOUND"));
    let denied = rows(&app, uuid).await.last().cloned().expect("a row");
    assert_eq!((denied.action.as_str(), denied.outcome.as_str()), ("READ", "DENIED"));

    let record = "mutation($i: RecordObservationInput!) { recordObservation(input: $i) { observation { id } } }";
    let input = |pulse: i32| json!({ "i": { "clientMutationId": uuid::Uuid::new_v4().to_string(), "residentId": id, "recordedAt": app.now.to_rfc3339(), "pulse": pulse } });
    let writes = |rows: &[audit_event::Model]| rows.iter().filter(|r| r.action == "WRITE").count();
    let before = writes(&rows(&app, uuid).await);
    app.data(&nurse, record, input(80)).await;
    assert_eq!(writes(&rows(&app, uuid).await), before + 1);
    let refused = app.gql(Some(&nurse), record, input(900)).await;
    assert_eq!(error_code(&refused), Some("VALIDATION"));
    assert_eq!(writes(&rows(&app, uuid).await), before + 1, "a refused write writes no WRITE row");
}

async fn a_roster_page_logs_each_resident_once(app: TestApp) {
    let nurse = app.login(NURSE_S).await;
    let before = audit_event::Entity::find().count(&app.db).await.expect("count");
    let centres = app.data(&nurse, "{ careCentres { id } }", json!({})).await;
    app.data(
        &nurse,
        "query($c: ID!) { residents(careCentreId: $c, first: 5) { edges { node { id latestObservation { id } } } } }",
        json!({ "c": centres["careCentres"][0]["id"] }),
    )
    .await;
    let after = audit_event::Entity::find().count(&app.db).await.expect("count");
    assert_eq!(after - before, 5);
}

async fn the_chain_is_append_only_and_verifiable(app: TestApp) {
    let nurse = app.login(NURSE_S).await;
    let (id, _) = first_resident(&app, &nurse).await;
    for _ in 0..3 {
        app.data(&nurse, "query($id: ID!) { resident(id: $id) { room } }", json!({ "id": id })).await;
    }
    let Verification::Intact { rows } = verify(&app.db).await.expect("verify") else { panic!("intact chain") };
    assert!(rows >= 4);
    let backend = app.db.get_database_backend();
    let exec = |sql: &str| app.db.execute_raw(Statement::from_string(backend, sql.to_owned()));
    assert!(exec("UPDATE audit_events SET outcome = 'DENIED' WHERE seq = 2").await.is_err(), "no updates");
    assert!(exec("DELETE FROM audit_events WHERE seq = 2").await.is_err(), "no deletes");
    // Someone with the database's owner rights disables the guard and edits a row: the chain shows it.
    match app.backend {
        Backend::Sqlite => exec("DROP TRIGGER audit_events_no_update").await.expect("drop trigger"),
        Backend::Postgres => {
            exec("ALTER TABLE audit_events DISABLE TRIGGER audit_events_no_update").await.expect("disable")
        }
    };
    exec("UPDATE audit_events SET outcome = 'DENIED' WHERE seq = 2").await.expect("tamper");
    assert_eq!(verify(&app.db).await.expect("verify"), Verification::Broken { seq: 2, reason: "row altered" });
}

/// Concurrent reads are appended in groups (one transaction for the requests waiting for the
/// append lock); every request still gets exactly its own rows, through two instances and between
/// writes, and the chain stays gapless.
async fn concurrent_reads_each_get_their_rows_in_one_chain(app: TestApp) {
    let second = app.spawn_instance().await;
    let nurse = app.login(NURSE_S).await;
    let coordinator = app.login("koordinator.solhaven@demo.dk").await;
    let centres = app.data(&nurse, "{ careCentres { id } }", json!({})).await;
    let page = json!({ "c": centres["careCentres"][0]["id"] });
    let roster = "query Vagtliste($c: ID!) { residents(careCentreId: $c, first: 5) { edges { node { id } } } }";
    let first = app.data(&nurse, roster, page.clone()).await;
    let resident = first["residents"]["edges"][0]["node"]["id"].clone();
    let before = audit_event::Entity::find().count(&app.db).await.expect("count");

    let client = reqwest::Client::new();
    let reads = (0..40).map(|i| {
        let address = if i % 3 == 0 { second.clone() } else { app.address.clone() };
        let token = if i % 2 == 0 { &nurse } else { &coordinator };
        let request = client
            .post(format!("{address}/graphql"))
            .bearer_auth(token)
            .header("x-request-id", format!("gruppe-{i}"))
            .json(&json!({ "query": roster, "variables": page }));
        async move { request.send().await.expect("send").json::<Value>().await.expect("JSON") }
    });
    let record = "mutation($i: RecordObservationInput!) { recordObservation(input: $i) { observation { id } } }";
    let writes = (0..5).map(|_| {
        let input = json!({ "i": { "clientMutationId": uuid::Uuid::new_v4().to_string(), "residentId": resident, "recordedAt": app.now.to_rfc3339(), "pulse": 72 } });
        app.gql(Some(&nurse), record, input)
    });
    let (reads, writes) = tokio::join!(futures_util::future::join_all(reads), futures_util::future::join_all(writes));
    for body in reads.iter().chain(&writes) {
        assert!(body.get("errors").is_none(), "{body:#}");
    }

    let logged = audit_event::Entity::find()
        .filter(audit_event::Column::Seq.gt(i64::try_from(before).expect("count")))
        .order_by_asc(audit_event::Column::Seq)
        .all(&app.db)
        .await
        .expect("rows");
    let (reads, writes): (Vec<_>, Vec<_>) = logged.iter().partition(|row| row.request_id.starts_with("gruppe-"));
    assert_eq!(reads.len(), 40 * 5, "five rows per read");
    for i in 0..40 {
        let own: Vec<_> = logged.iter().filter(|row| row.request_id == format!("gruppe-{i}")).collect();
        let role = if i % 2 == 0 { "NURSE" } else { "COORDINATOR" };
        assert_eq!(own.len(), 5, "request {i}: {own:?}");
        assert!(own.iter().all(|row| row.actor_role == role && row.action == "READ"), "request {i}: {own:?}");
        assert!(own.iter().all(|row| row.operation_name.as_deref() == Some("Vagtliste")), "request {i}");
        let residents: std::collections::BTreeSet<_> = own.iter().map(|row| row.resident_id).collect();
        assert_eq!(residents.len(), 5, "request {i}: each resident once");
    }
    let write_requests: std::collections::BTreeSet<_> = writes.iter().map(|row| &row.request_id).collect();
    assert_eq!(write_requests.len(), 5);
    for request in write_requests {
        let written = writes.iter().filter(|row| &row.request_id == request && row.action == "WRITE").count();
        assert_eq!(written, 1, "one WRITE row per write request");
    }
    let Verification::Intact { rows } = verify(&app.db).await.expect("verify") else { panic!("intact chain") };
    assert_eq!(rows, before + u64::try_from(logged.len()).expect("count"), "a gapless chain");
}

const LOG: &str = "query($id: ID!) { resident(id: $id) { accessLog(first: 50) { totalCount edges { node { at action outcome actorRole actor { displayName role } } } } } }";

async fn access_log_is_for_coordinator_admin_and_relative(app: TestApp) {
    let relative = app.login("paaroerende@demo.dk").await;
    let me = app.data(&relative, "{ me { residents { id } } }", json!({})).await;
    let id = me["me"]["residents"][0]["id"].clone();
    let nurse = app.login(NURSE_S).await;
    app.data(&nurse, "query($id: ID!) { resident(id: $id) { room } }", json!({ "id": id })).await;
    for email in ["koordinator.solhaven@demo.dk", "admin@demo.dk", "paaroerende@demo.dk"] {
        let token = app.login(email).await;
        let data = app.data(&token, LOG, json!({ "id": id })).await;
        let entries = data["resident"]["accessLog"]["edges"].as_array().expect("edges").clone();
        assert!(
            entries.iter().any(|e| e["node"]["actorRole"] == "NURSE" && e["node"]["actor"]["displayName"].is_string()),
            "{email} sees that a nurse looked: {data:#}"
        );
    }
    for email in [NURSE_S, "laege.hansen@demo.dk"] {
        let token = app.login(email).await;
        assert_eq!(error_code(&app.gql(Some(&token), LOG, json!({ "id": id })).await), Some("FORBIDDEN"), "{email}");
    }
}

backends!(
    reads_writes_and_denials_are_logged,
    a_roster_page_logs_each_resident_once,
    the_chain_is_append_only_and_verifiable,
    access_log_is_for_coordinator_admin_and_relative,
    concurrent_reads_each_get_their_rows_in_one_chain,
);
