//! The node limit (page sizes multiply down a query) and aliases counted at every use of a
//! fragment, checked before anything runs, over HTTP and over WebSocket (DESIGN §7).

use plejelink::graphql::limits::{MAX_ALIASES, MAX_NODES};
use plejelink_tests::{TestApp, backends, error_code};
use serde_json::{Value, json};

const NURSE: &str = "sygeplejerske.solhaven@demo.dk";

/// `residents(first: $outer) { nodes { careCentre { residents(first: $inner) … } } }`: the
/// request from the issue, two levels deep.
const NESTED: &str = "query($c: ID!, $outer: Int, $inner: Int) { residents(careCentreId: $c, first: $outer) { nodes { \
    careCentre { residents(first: $inner) { nodes { id fullName } } } } } }";

async fn centre(app: &TestApp, token: &str) -> Value {
    app.data(token, "{ me { careCentres { id } } }", json!({})).await["me"]["careCentres"][0]["id"].clone()
}

/// A refusal: `VALIDATION` with the figure and the limit, and nothing ran.
fn assert_refused(body: &Value, figure: &str, expected: u64, limit: u64) {
    assert_eq!(error_code(body), Some("VALIDATION"), "{body:#}");
    let extensions = &body["errors"][0]["extensions"];
    assert_eq!(extensions[figure], expected, "{body:#}");
    assert_eq!(extensions["limit"], limit, "{body:#}");
    assert!(body["data"].is_null(), "nothing ran: {body:#}");
    let message = body["errors"][0]["message"].as_str().expect("message");
    assert!(message.contains(&expected.to_string()), "the message gives the figure: {message}");
}

async fn page_sizes_multiply_up_to_the_node_limit(app: TestApp) {
    let token = app.login(NURSE).await;
    let c = centre(&app, &token).await;
    // 20 residents, each with its centre's 99 first residents: 20 + 20 × 99 = 2,000 nodes.
    let at_limit = app.gql(Some(&token), NESTED, json!({ "c": c, "outer": 20, "inner": 99 })).await;
    assert!(at_limit.get("errors").is_none(), "{MAX_NODES} nodes are allowed: {at_limit:#}");
    let residents = at_limit["data"]["residents"]["nodes"].as_array().expect("residents");
    assert!(!residents.is_empty() && residents.len() <= 20);
    assert!(!residents[0]["careCentre"]["residents"]["nodes"].as_array().expect("inner").is_empty());

    let over = app.gql(Some(&token), NESTED, json!({ "c": c, "outer": 20, "inner": 100 })).await;
    assert_refused(&over, "nodes", 20 + 20 * 100, MAX_NODES);
    // A missing `first` counts as the default page size of residents (50).
    let defaults = app.gql(Some(&token), NESTED, json!({ "c": c })).await;
    assert_refused(&defaults, "nodes", 50 + 50 * 50, MAX_NODES);
    // The request: three levels of 100.
    let three = "query($c: ID!) { residents(careCentreId: $c, first: 100) { nodes { careCentre { residents(first: 100) { \
        nodes { careCentre { residents(first: 100) { nodes { id } } } } } } } } }";
    let refused = app.gql(Some(&token), three, json!({ "c": c })).await;
    assert_refused(&refused, "nodes", 100 + 100 * 100 + 100 * 100 * 100, MAX_NODES);
    // Lists that are not connections count 10 items: 10 centres × (1 + 100 residents × (1 + 10 plans)).
    let lists = "{ careCentres { residents(first: 100) { nodes { carePlans { id } } } } }";
    let refused = app.gql(Some(&token), lists, json!({})).await;
    assert_refused(&refused, "nodes", 10 * (1 + 100 * (1 + 10)), MAX_NODES);
    // Fragments are expanded: the same 2,020 nodes through a named and an inline fragment.
    let fragments = "query($c: ID!) { residents(careCentreId: $c, first: 20) { nodes { ...R } } } \
        fragment R on Resident { careCentre { ... on CareCentre { residents(first: 100) { totalCount } } } }";
    let refused = app.gql(Some(&token), fragments, json!({ "c": c })).await;
    assert_refused(&refused, "nodes", 20 + 20 * 100, MAX_NODES);

    // Subscriptions over WebSocket are counted the same way.
    let alerts = |first: u32| {
        format!(
            "subscription {{ observationAlerts {{ resident {{ careCentre {{ residents(first: {first}) {{ nodes {{ \
             careCentre {{ residents(first: 100) {{ totalCount }} }} }} }} }} }} }} }}"
        )
    };
    let mut accepted = app.subscribe(&token, &alerts(19), json!({})).await;
    assert!(accepted.next(1).await.is_none(), "19 + 1,900 nodes are allowed and the subscription waits");
    let mut refused = app.subscribe(&token, &alerts(20), json!({})).await;
    let error = refused.next(5).await.expect("an error").to_string();
    assert!(error.contains("VALIDATION") && error.contains("2020"), "{error}");
}

async fn aliases_count_at_every_use_of_a_fragment(app: TestApp) {
    let token = app.login(NURSE).await;
    let c = centre(&app, &token).await;
    // A fragment with n aliases, used twice: 2n aliased fields run.
    let twice = |n: usize| {
        let aliases = (0..n).map(|i| format!("a{i}: name")).collect::<Vec<_>>().join(" ");
        format!(
            "query($c: ID!) {{ careCentres {{ ...F }} careCentre(id: $c) {{ ...F }} }} fragment F on CareCentre {{ {aliases} }}"
        )
    };
    let half = MAX_ALIASES / 2;
    let ok = app.gql(Some(&token), &twice(half), json!({ "c": c })).await;
    assert!(ok.get("errors").is_none(), "{} aliases are allowed: {ok:#}", 2 * half);
    assert!(ok["data"]["careCentre"]["a0"].is_string(), "{ok:#}");
    let refused = app.gql(Some(&token), &twice(half + 1), json!({ "c": c })).await;
    assert_refused(&refused, "aliases", 2 * (half as u64 + 1), MAX_ALIASES as u64);
}

backends!(page_sizes_multiply_up_to_the_node_limit, aliases_count_at_every_use_of_a_fragment);
