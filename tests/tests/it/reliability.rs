//! Under load: SQLite writers do not see "database is locked", and overload is shed with 503
//! (RATE_LIMITED) instead of queueing without bound, and the server recovers.

use futures_util::future::join_all;
use plejelink_tests::{Backend, spawn_app, spawn_app_with};
use serde_json::{Value, json};

const RECORD: &str = "mutation($i: RecordObservationInput!) { recordObservation(input: $i) { observation { id } } }";
const ROSTER: &str =
    "query($c: ID!) { residents(careCentreId: $c, first: 50) { edges { node { id latestObservation { id } } } } }";

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sqlite_writers_and_readers_in_contention_all_succeed() {
    let app = spawn_app(Backend::Sqlite).await.expect("sqlite");
    let nurse = app.login("sygeplejerske.solhaven@demo.dk").await;
    let centres = app.data(&nurse, "{ careCentres { id } }", json!({})).await;
    let centre = centres["careCentres"][0]["id"].clone();
    let roster = app.data(&nurse, ROSTER, json!({ "c": centre })).await;
    let residents: Vec<Value> =
        roster["residents"]["edges"].as_array().expect("edges").iter().map(|e| e["node"]["id"].clone()).collect();
    let writes = (0..160).map(|n| {
        let input = json!({ "i": { "clientMutationId": uuid::Uuid::new_v4().to_string(),
            "residentId": residents[n % residents.len()], "recordedAt": app.now.to_rfc3339(), "pulse": 60 + (n % 40) } });
        app.gql(Some(&nurse), RECORD, input)
    });
    let reads = (0..40).map(|_| app.gql(Some(&nurse), ROSTER, json!({ "c": centre })));
    let (writes, reads) = tokio::join!(join_all(writes), join_all(reads));
    for body in writes.iter().chain(reads.iter()) {
        assert!(body.get("errors").is_none(), "no request fails under contention: {body:#}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn overload_is_shed_and_the_server_recovers() {
    let app = spawn_app_with(Backend::Sqlite, &[("PLEJELINK_MAX_IN_FLIGHT", "1")]).await.expect("sqlite");
    let nurse = app.login("sygeplejerske.solhaven@demo.dk").await;
    let centres = app.data(&nurse, "{ careCentres { id } }", json!({})).await;
    let centre = centres["careCentres"][0]["id"].clone();
    let burst = (0..100).map(|_| {
        app.client
            .post(format!("{}/graphql", app.address))
            .bearer_auth(&nurse)
            .json(&json!({ "query": ROSTER, "variables": { "c": centre } }))
            .send()
    });
    let mut served = 0;
    let mut shed = 0;
    for response in join_all(burst).await {
        let response = response.expect("an answer, never a dropped connection");
        match response.status().as_u16() {
            200 => served += 1,
            503 => {
                assert_eq!(response.headers()["retry-after"], "1");
                let body: Value = response.json().await.expect("json");
                assert_eq!(body["errors"][0]["extensions"]["code"], "RATE_LIMITED");
                shed += 1;
            }
            other => panic!("unexpected status {other}"),
        }
    }
    assert!(served >= 1 && shed >= 1, "served {served}, shed {shed}");
    // Load gone: served again.
    app.data(&nurse, ROSTER, json!({ "c": centre })).await;
}
