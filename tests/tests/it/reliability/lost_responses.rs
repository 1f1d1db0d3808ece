//! Lost responses: a proxy forwards each request and drops the connection once the server has
//! answered (so after the commit). The client retries what it did not see acknowledged, and the
//! writes exist exactly once; a lost `refreshSession` answer does not log the user out.

use entities::{observation, question, refresh_token};
use plejelink_tests::{LossyProxy, TestApp, backends, error_code};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use serde_json::{Value, json};

const RECORD: &str =
    "mutation($i: RecordObservationInput!) { recordObservation(input: $i) { observation { id pulse } } }";
const ASK: &str = "mutation($i: AskQuestionInput!) { askQuestion(input: $i) { question { id subject } } }";
const LOGIN: &str = "mutation($e: String!, $p: String!) { login(email: $e, password: $p) { refreshToken } }";
const REFRESH: &str = "mutation($t: String!) { refreshSession(refreshToken: $t) { accessToken refreshToken } }";
/// Writes whose first answer is lost, per kind.
const LOSSES: usize = 8;

/// POSTs through `address` with a client that opens a connection per request; `Err` when the
/// answer never arrived.
async fn post(
    client: &reqwest::Client,
    address: &str,
    token: Option<&str>,
    query: &str,
    variables: Value,
) -> Result<Value, reqwest::Error> {
    let mut request =
        client.post(format!("{address}/graphql")).json(&json!({ "query": query, "variables": variables }));
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    request.send().await?.json().await
}

async fn writes_whose_answer_was_lost_are_stored_once(app: TestApp) {
    let proxy = LossyProxy::start(&app.address).await;
    let client = reqwest::Client::builder().pool_max_idle_per_host(0).build().expect("client");
    let nurse = app.login("sygeplejerske.solhaven@demo.dk").await;
    let centres =
        app.data(&nurse, "{ careCentres { id residents(first: 1) { edges { node { id } } } } }", json!({})).await;
    let centre = centres["careCentres"][0]["id"].clone();
    let resident = centres["careCentres"][0]["residents"]["edges"][0]["node"]["id"].clone();

    for n in 0..LOSSES {
        let id = uuid::Uuid::new_v4();
        let input = json!({ "i": { "clientMutationId": id.to_string(), "residentId": resident,
            "recordedAt": app.now.to_rfc3339(), "pulse": 60 + n } });
        proxy.lose_next(1);
        let lost = post(&client, &proxy.address, Some(&nurse), RECORD, input.clone()).await;
        assert!(lost.is_err(), "the proxy dropped the answer: {lost:?}");
        // The outbox retries, once through the proxy and once directly (another network).
        let retry = post(&client, &proxy.address, Some(&nurse), RECORD, input.clone()).await.expect("retry answered");
        let again = app.data(&nurse, RECORD, input).await;
        let first = &retry["data"]["recordObservation"]["observation"];
        assert_eq!(first["pulse"], 60 + n, "{retry:#}");
        assert_eq!(first, &again["recordObservation"]["observation"], "the retry returns the same observation");
        let stored = observation::Entity::find()
            .filter(observation::Column::ClientMutationId.eq(id))
            .count(&app.db)
            .await
            .expect("count");
        assert_eq!(stored, 1, "observation {id} stored exactly once");
    }

    for _ in 0..LOSSES {
        let id = uuid::Uuid::new_v4();
        let input = json!({ "i": { "clientMutationId": id.to_string(), "careCentreId": centre, "residentId": resident,
            "subject": "Tabt svar", "body": "Spørgsmål hvis svar gik tabt på vejen", "priority": "ROUTINE" } });
        proxy.lose_next(1);
        let lost = post(&client, &proxy.address, Some(&nurse), ASK, input.clone()).await;
        assert!(lost.is_err(), "the proxy dropped the answer: {lost:?}");
        let retry = post(&client, &proxy.address, Some(&nurse), ASK, input.clone()).await.expect("retry answered");
        let again = app.data(&nurse, ASK, input).await;
        assert!(retry["data"]["askQuestion"]["question"]["id"].is_string(), "{retry:#}");
        assert_eq!(retry["data"]["askQuestion"], again["askQuestion"], "the retry returns the same question");
        let stored = question::Entity::find()
            .filter(question::Column::ClientMutationId.eq(id))
            .count(&app.db)
            .await
            .expect("count");
        assert_eq!(stored, 1, "question {id} stored exactly once");
    }
    assert_eq!(proxy.lost(), 2 * LOSSES as u64, "every injected loss happened after the server answered");
    eprintln!("lost responses: {} injected (observations and questions), 0 duplicates", proxy.lost());
}

async fn a_lost_refresh_answer_keeps_the_session(app: TestApp) {
    let proxy = LossyProxy::start(&app.address).await;
    let client = reqwest::Client::builder().pool_max_idle_per_host(0).build().expect("client");
    let body = app.gql(None, LOGIN, json!({ "e": "sygeplejerske.solhaven@demo.dk", "p": "demo-password" })).await;
    let mut refresh = body["data"]["login"]["refreshToken"].as_str().expect("refresh token").to_owned();
    let first = refresh.clone();
    for _ in 0..3 {
        proxy.lose_next(1);
        let lost = post(&client, &proxy.address, None, REFRESH, json!({ "t": refresh })).await;
        assert!(lost.is_err(), "the proxy dropped the answer: {lost:?}");
        // Within the grace window every retry gets the pair the lost answer carried.
        let retry = post(&client, &proxy.address, None, REFRESH, json!({ "t": refresh })).await.expect("answered");
        let again = app.gql(None, REFRESH, json!({ "t": refresh })).await;
        let pair = &retry["data"]["refreshSession"];
        assert!(pair["refreshToken"].is_string(), "{retry:#}");
        assert_eq!(pair, &again["data"]["refreshSession"], "the identical pair");
        let access = pair["accessToken"].as_str().expect("access token");
        let me = app.data(access, "{ me { email } }", json!({})).await;
        assert_eq!(me["me"]["email"], "sygeplejerske.solhaven@demo.dk");
        refresh = pair["refreshToken"].as_str().expect("refresh token").to_owned();
    }
    assert_eq!(proxy.lost(), 3);
    // Outside the grace window, reusing a rotated token is still taken as theft: the session ends.
    refresh_token::Entity::update_many()
        .col_expr(refresh_token::Column::RotatedAt, Expr::value(chrono::Utc::now() - chrono::Duration::seconds(31)))
        .filter(refresh_token::Column::RotatedAt.is_not_null())
        .exec(&app.db)
        .await
        .expect("age the rotations");
    let reuse = app.gql(None, REFRESH, json!({ "t": first })).await;
    assert_eq!(error_code(&reuse), Some("UNAUTHENTICATED"), "{reuse:#}");
    let newest = app.gql(None, REFRESH, json!({ "t": refresh })).await;
    assert_eq!(error_code(&newest), Some("UNAUTHENTICATED"), "the whole session ended: {newest:#}");
}

backends!(writes_whose_answer_was_lost_are_stored_once, a_lost_refresh_answer_keeps_the_session);
