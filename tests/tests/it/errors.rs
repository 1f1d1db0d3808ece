//! Errors carry stable codes and the field; the HTTP layer refuses what is not a plain JSON POST.

use plejelink_tests::{TestApp, backends, error_code};
use serde_json::json;

async fn bad_input_gets_validation_with_the_field(app: TestApp) {
    let token = app.login("sygeplejerske.solhaven@demo.dk").await;
    let body = app.gql(Some(&token), "{ resident(id: \"not-an-id\") { fullName } }", json!({})).await;
    assert_eq!(error_code(&body), Some("VALIDATION"));
    assert_eq!(body["errors"][0]["extensions"]["field"], "id");

    let centres = app.data(&token, "{ careCentres { id } }", json!({})).await;
    let centre = centres["careCentres"][0]["id"].clone();
    let body = app
        .gql(
            Some(&token),
            "query($c: ID!) { residents(careCentreId: $c, first: 500) { totalCount } }",
            json!({ "c": centre }),
        )
        .await;
    assert_eq!(error_code(&body), Some("VALIDATION"));
    assert_eq!(body["errors"][0]["extensions"]["field"], "first");

    let body = app
        .gql(
            Some(&token),
            "query($c: ID!) { residents(careCentreId: $c, after: \"xyz\") { totalCount } }",
            json!({ "c": centre }),
        )
        .await;
    assert_eq!(body["errors"][0]["extensions"]["field"], "after");

    // A syntax error is the client's: VALIDATION, never INTERNAL.
    let body = app.gql(Some(&token), "{ me { ", json!({})).await;
    assert_eq!(error_code(&body), Some("VALIDATION"));
}

async fn an_id_of_another_type_is_not_found(app: TestApp) {
    let token = app.login("sygeplejerske.solhaven@demo.dk").await;
    let centres = app.data(&token, "{ careCentres { id } }", json!({})).await;
    let centre = centres["careCentres"][0]["id"].clone();
    let body =
        app.gql(Some(&token), "query($id: ID!) { resident(id: $id) { fullName } }", json!({ "id": centre })).await;
    assert_eq!(error_code(&body), Some("NOT_FOUND"));
}

async fn only_single_json_posts_are_accepted(app: TestApp) {
    let url = format!("{}/graphql", app.address);
    let form = app.client.post(&url).header("content-type", "text/plain").body("{\"query\":\"{ __typename }\"}");
    assert_eq!(form.send().await.expect("send").status(), 415, "CSRF: only application/json");
    let batch = app.client.post(&url).json(&json!([{ "query": "{ __typename }" }, { "query": "{ __typename }" }]));
    let response = batch.send().await.expect("send");
    assert_eq!(response.status(), 400, "no batching");
    let get = app.client.get(format!("{url}?query=%7B__typename%7D")).send().await.expect("send");
    assert_eq!(get.status(), 405, "no GET");
    let ok = app.client.post(&url).json(&json!({ "query": "{ __typename }" })).send().await.expect("send");
    assert_eq!(ok.status(), 200);
}

async fn the_body_limit_holds_at_its_boundary(app: TestApp) {
    let url = format!("{}/graphql", app.address);
    // A valid request padded (in a variable) to exactly `size` bytes.
    let body_of = |size: usize| {
        let empty = json!({ "query": "{ __typename }", "variables": { "pad": "" } }).to_string();
        json!({ "query": "{ __typename }", "variables": { "pad": "x".repeat(size - empty.len()) } }).to_string()
    };
    let limit = plejelink::startup::BODY_LIMIT;
    let send = |body: String| app.client.post(&url).header("content-type", "application/json").body(body).send();
    assert_eq!(body_of(limit).len(), limit);
    assert_eq!(send(body_of(limit)).await.expect("send").status(), 200, "exactly at the limit");
    assert_eq!(send(body_of(limit + 1)).await.expect("send").status(), 413, "one byte over");
}

/// Found by the GraphQL fuzzer: PostgreSQL `text` cannot hold NUL, and a search for it failed there
/// as INTERNAL. Text with NUL is now VALIDATION on the field, on both backends, wherever it is.
async fn text_with_nul_is_validation_on_the_field(app: TestApp) {
    let token = app.login("sygeplejerske.solhaven@demo.dk").await;
    let centres =
        app.data(&token, "{ careCentres { id residents(first: 1) { edges { node { id } } } } }", json!({})).await;
    let centre = centres["careCentres"][0]["id"].clone();
    let resident = centres["careCentres"][0]["residents"]["edges"][0]["node"]["id"].clone();
    let cases = [
        (
            Some(token.as_str()),
            "query($c: ID!, $s: String) { residents(careCentreId: $c, search: $s) { totalCount } }",
            json!({ "c": centre, "s": "nul\u{0}byte" }),
            "s",
        ),
        (
            Some(token.as_str()),
            "query($c: ID!) { careCentre(id: $c) { residents(search: \"a\\u0000\") { totalCount } } }",
            json!({ "c": centre }),
            "search",
        ),
        (
            Some(token.as_str()),
            "mutation($i: RecordObservationInput!) { recordObservation(input: $i) { observation { id } } }",
            json!({ "i": { "clientMutationId": "019a0000-0000-7000-8000-000000000001", "residentId": resident,
                           "recordedAt": app.now.to_rfc3339(), "pulse": 70, "note": "\u{0}" } }),
            "note",
        ),
        (None, "mutation { login(email: \"a\\u0000@demo.dk\", password: \"x\") { accessToken } }", json!({}), "email"),
    ];
    for (token, query, variables, field) in cases {
        let body = app.gql(token, query, variables).await;
        assert_eq!(error_code(&body), Some("VALIDATION"), "{query}: {body:#}");
        assert_eq!(body["errors"][0]["extensions"]["field"], field, "{query}: {body:#}");
    }
}

/// Found by the GraphQL fuzzer: a `DateTime` before 4713 BC failed on PostgreSQL as INTERNAL. Time
/// filters outside the years 1–9999 are VALIDATION on the argument, and such dates are refused by the
/// `Date` scalar, on both backends.
async fn far_off_times_are_validation_on_the_field(app: TestApp) {
    let token = app.login("sygeplejerske.solhaven@demo.dk").await;
    let centres =
        app.data(&token, "{ careCentres { residents(first: 1) { edges { node { id } } } } }", json!({})).await;
    let resident = centres["careCentres"][0]["residents"]["edges"][0]["node"]["id"].clone();
    let meetings = "query($from: DateTime, $to: DateTime) { meetings(from: $from, to: $to) { totalCount } }";
    let observations = "query($r: ID!, $from: DateTime, $to: DateTime) { resident(id: $r) { observations(from: $from, to: $to) { totalCount } } }";
    for (query, variables, field) in [
        (meetings, json!({ "from": "-262143-01-01T00:00:00Z" }), "from"),
        (meetings, json!({ "to": "+10000-01-01T00:00:00Z" }), "to"),
        (observations, json!({ "r": resident, "from": "-4714-11-24T00:00:00Z" }), "from"),
        (observations, json!({ "r": resident, "to": "+262142-12-31T23:59:59Z" }), "to"),
    ] {
        let body = app.gql(Some(&token), query, variables).await;
        assert_eq!(error_code(&body), Some("VALIDATION"), "{body:#}");
        assert_eq!(body["errors"][0]["extensions"]["field"], field, "{body:#}");
    }
    let edges = json!({ "r": resident, "from": "0001-01-01T00:00:00Z", "to": "9999-12-31T23:59:59Z" });
    let data = app.data(&token, observations, edges).await;
    assert!(data["resident"]["observations"]["totalCount"].as_u64() > Some(0), "{data:#}");
    let data =
        app.data(&token, meetings, json!({ "from": "0001-01-01T00:00:00Z", "to": "9999-12-31T23:59:59Z" })).await;
    assert!(data["meetings"]["totalCount"].as_u64() > Some(0), "{data:#}");

    // Dates (the `Date` scalar) likewise: years 1–9999, else VALIDATION before any statement.
    let coordinator = app.login("koordinator.solhaven@demo.dk").await;
    let centre = app.data(&coordinator, "{ careCentres { id } }", json!({})).await["careCentres"][0]["id"].clone();
    let admit = "mutation($i: AdmitResidentInput!) { admitResident(input: $i) { id dateOfBirth } }";
    for born in ["-4714-11-24", "+10000-01-01", "0000-12-31"] {
        let input = json!({ "careCentreId": centre, "fullName": "Far Off", "dateOfBirth": born, "room": "F1", "movedInOn": "2026-11-01" });
        let body = app.gql(Some(&coordinator), admit, json!({ "i": input })).await;
        assert_eq!(error_code(&body), Some("VALIDATION"), "{born}: {body:#}");
    }
}

backends!(
    bad_input_gets_validation_with_the_field,
    text_with_nul_is_validation_on_the_field,
    far_off_times_are_validation_on_the_field,
    an_id_of_another_type_is_not_found,
    only_single_json_posts_are_accepted,
    the_body_limit_holds_at_its_boundary,
);
