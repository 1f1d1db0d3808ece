//! Nested lists are batched: a page costs a bounded number of SQL statements, whatever its length.

use plejelink_tests::{TestApp, backends};
use serde_json::{Value, json};

/// Statements the server runs for one request (the request's own login excluded).
async fn cost(app: &TestApp, token: &str, query: &str, variables: Value) -> (u64, Value) {
    let before = app.statement_count();
    let data = app.data(token, query, variables).await;
    (app.statement_count() - before, data)
}

const RESIDENTS_PAGE: &str = "query($c: ID!, $n: Int) { residents(careCentreId: $c, first: $n) { totalCount edges { node { id fullName room status careCentre { name } generalPractitioner { doctor { displayName } } latestObservation { recordedAt news2 { total riskLevel } } openQuestionCount polypharmacy } } } }";

/// Residents with latest observation: the same cost for 2 and for 12 residents.
async fn residents_page_costs_a_bounded_number_of_statements(app: TestApp) {
    let token = app.login("sygeplejerske.solhaven@demo.dk").await;
    let centres = app.data(&token, "{ careCentres { id } }", json!({})).await;
    let centre = centres["careCentres"][0]["id"].clone();
    let (small, data) = cost(&app, &token, RESIDENTS_PAGE, json!({ "c": centre, "n": 2 })).await;
    assert_eq!(data["residents"]["edges"].as_array().map(Vec::len), Some(2));
    let (large, data) = cost(&app, &token, RESIDENTS_PAGE, json!({ "c": centre, "n": 50 })).await;
    let edges = data["residents"]["edges"].as_array().expect("edges");
    assert_eq!(edges.len(), 12);
    assert!(edges.iter().all(|e| e["node"]["latestObservation"]["news2"]["total"].is_i64()));
    // Viewer (2) + count + page + centre + doctors (2) + latest observations + open questions + medications
    // + the access log (lock, last row, one insert); unbatched, 12 residents would cost over 50.
    // (DataLoader batches by a 1 ms window, so a loaded machine may split batches: bounds with
    // room for that, not equality; typically 11 on SQLite, 12 on PostgreSQL.)
    assert!(
        small <= 18 && large <= 18,
        "residents(first: 2) cost {small}, residents(first: 50) cost {large} statements"
    );
    eprintln!("residents(first: 50) with latest observation: {large} SQL statements");
}

const QUEUE_PAGE: &str = "query($n: Int) { doctorQueue(first: $n) { totalCount edges { node { id subject priority overdue dueAt askedBy { displayName } resident { fullName room latestObservation { news2 { total } } } attachedObservations { recordedAt pulse news2 { total riskLevel } } messages { body author { displayName } } } } } }";

async fn doctor_queue_costs_a_bounded_number_of_statements(app: TestApp) {
    let token = app.login("laege.hansen@demo.dk").await;
    let (small, _) = cost(&app, &token, QUEUE_PAGE, json!({ "n": 1 })).await;
    let (large, data) = cost(&app, &token, QUEUE_PAGE, json!({ "n": 20 })).await;
    let edges = data["doctorQueue"]["edges"].as_array().expect("edges");
    assert!(edges.len() >= 4, "several questions in the queue");
    assert!(edges.iter().any(|e| { !e["node"]["attachedObservations"].as_array().expect("list").is_empty() }));
    // Unbatched, the resident, asker, observations and messages of each question would cost 4+ each
    // (80+ for 20); typically 13 on SQLite, 14 on PostgreSQL, with room for split batches.
    assert!(small <= 20 && large <= 20, "doctorQueue(first: 1) cost {small}, first: 20 cost {large} statements");
    eprintln!("doctorQueue(first: 20) with resident and attached observations: {large} SQL statements");
}

const RESIDENT_TREND: &str = "query($id: ID!, $from: DateTime!, $n: Int, $days: Int!) { resident(id: $id) { id fullName observations(from: $from, first: $n) { totalCount edges { node { id recordedAt pulse news2 { total riskLevel } enteredInError } } } news2Trend(days: $days) { recordedAt total riskLevel complete } } }";

/// A resident's observations and NEWS2 trend (reference operation (b)): the same statements for
/// one observation and for the whole history.
async fn resident_trend_costs_a_bounded_number_of_statements(app: TestApp) {
    let token = app.login("sygeplejerske.solhaven@demo.dk").await;
    let centres = app.data(&token, "{ careCentres { id } }", json!({})).await;
    let centre = centres["careCentres"][0]["id"].clone();
    let page = app
        .data(
            &token,
            "query($c: ID!) { residents(careCentreId: $c, first: 1) { edges { node { id } } } }",
            json!({ "c": centre }),
        )
        .await;
    let resident = page["residents"]["edges"][0]["node"]["id"].clone();
    let from = (app.now - chrono::Duration::days(30)).to_rfc3339();
    let vars = |n: i32, days: i32| json!({ "id": resident, "from": from, "n": n, "days": days });
    let (small, _) = cost(&app, &token, RESIDENT_TREND, vars(1, 1)).await;
    let (large, data) = cost(&app, &token, RESIDENT_TREND, vars(100, 30)).await;
    let edges = data["resident"]["observations"]["edges"].as_array().expect("edges");
    assert!(edges.len() >= 4, "the demo resident has several observations");
    assert!(data["resident"]["news2Trend"].as_array().is_some_and(|t| t.len() >= 4));
    // Viewer (2) + resident + count + page + trend + the access log (lock, last row, one insert);
    // typically 8 on SQLite, 9 on PostgreSQL.
    assert!(small <= 12 && large <= 12, "trend of 1 cost {small}, of all cost {large} statements");
    eprintln!("resident observations and news2Trend(days: 30): {large} SQL statements");
}

backends!(
    residents_page_costs_a_bounded_number_of_statements,
    doctor_queue_costs_a_bounded_number_of_statements,
    resident_trend_costs_a_bounded_number_of_statements
);
