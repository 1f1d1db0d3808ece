//! Request limits, production hardening and trusted documents (DESIGN §7).

use plejelink::graphql::limits::{MAX_ALIASES, MAX_COMPLEXITY, MAX_DEPTH};
use plejelink::trusted_documents::document_id;
use plejelink_tests::{Backend, TestApp, backends, error_code, spawn_app_with};
use serde_json::{Value, json};

const LOGIN: &str = "mutation Login($e: String!, $p: String!) { login(email: $e, password: $p) { accessToken } }";
const ME: &str = "query Me { me { email role } }";
const ALERTS: &str = "subscription Alerts { observationAlerts { resync } }";

/// A query `depth` fields deep (async-graphql does not count `__typename`), one resident a page
/// to stay under the node limit:
/// `me { careCentres { residents(first: 1) { edges { node { careCentre { residents … } } } } } }`.
fn deep_query(depth: usize) -> String {
    let mut levels = vec!["me", "careCentres"];
    let cycle = ["residents(first: 1)", "edges", "node", "careCentre"];
    while levels.len() < depth {
        levels.push(cycle[(levels.len() - 2) % 4]);
    }
    let mut query = String::from("__typename");
    for level in levels.iter().rev() {
        query = format!("{level} {{ {query} }}");
    }
    format!("{{ {query} }}")
}

async fn depth_and_alias_limits_hold_at_their_boundary(app: TestApp) {
    let token = app.login("sygeplejerske.solhaven@demo.dk").await;
    let ok = app.gql(Some(&token), &deep_query(MAX_DEPTH), json!({})).await;
    assert!(ok.get("errors").is_none(), "depth {MAX_DEPTH} is allowed: {ok:#}");
    let deep = deep_query(MAX_DEPTH + 1);
    let refused = app.gql(Some(&token), &deep, json!({})).await;
    assert_eq!(error_code(&refused), Some("VALIDATION"), "{refused:#}");
    assert!(!refused.to_string().contains("careCentre {"), "the error does not echo the query");

    // `me` plus n fields costs n + 1.
    let wide = |n: usize| format!("{{ me {{ {} }} }}", vec!["email"; n].join(" "));
    let ok = app.gql(Some(&token), &wide(MAX_COMPLEXITY - 1), json!({})).await;
    assert!(ok.get("errors").is_none(), "complexity {MAX_COMPLEXITY} is allowed");
    let refused = app.gql(Some(&token), &wide(MAX_COMPLEXITY), json!({})).await;
    assert_eq!(error_code(&refused), Some("VALIDATION"));
    assert!(!refused.to_string().contains("email email"), "the error does not echo the query");

    let aliased =
        |n: usize| format!("{{ {} }}", (0..n).map(|i| format!("a{i}: me {{ email }}")).collect::<Vec<_>>().join(" "));
    let ok = app.gql(Some(&token), &aliased(MAX_ALIASES), json!({})).await;
    assert!(ok.get("errors").is_none(), "{MAX_ALIASES} aliases are allowed: {ok:#}");
    let refused = app.gql(Some(&token), &aliased(MAX_ALIASES + 1), json!({})).await;
    assert_eq!(error_code(&refused), Some("VALIDATION"));

    // Subscriptions over WebSocket run the same document checks (aliases, NUL text).
    let alert_aliases = |n: usize| {
        let fields = (0..n).map(|i| format!("a{i}: resync")).collect::<Vec<_>>().join(" ");
        format!("subscription {{ observationAlerts {{ {fields} }} }}")
    };
    let mut accepted = app.subscribe(&token, &alert_aliases(MAX_ALIASES), json!({})).await;
    assert!(accepted.next(1).await.is_none(), "{MAX_ALIASES} aliases are allowed and the subscription waits");
    let mut refused = app.subscribe(&token, &alert_aliases(MAX_ALIASES + 1), json!({})).await;
    let error = refused.next(5).await.expect("an error");
    assert!(error.to_string().contains("aliases"), "{error:#}");
    let nul_centre = "subscription($c: ID) { observationAlerts(careCentreId: $c) { resync } }";
    let mut refused = app.subscribe(&token, nul_centre, json!({ "c": "x\u{0}y" })).await;
    let error = refused.next(5).await.expect("an error");
    assert!(error.to_string().contains("VALIDATION"), "{error:#}");
}

backends!(depth_and_alias_limits_hold_at_their_boundary);

/// A production server whose trusted documents are LOGIN and ME.
async fn production() -> (TestApp, std::path::PathBuf) {
    let dir = std::env::temp_dir().join(format!("plejelink-prod-{}", uuid::Uuid::now_v7().simple()));
    std::fs::create_dir_all(dir.join("documents")).expect("dir");
    plejelink::auth::jwt::generate_key_file(&dir.join("key.pem")).expect("key");
    let manifest: serde_json::Map<String, Value> =
        [LOGIN, ME, ALERTS].iter().map(|q| (document_id(q), Value::String((*q).to_owned()))).collect();
    std::fs::write(dir.join("documents/nurse.json"), Value::Object(manifest).to_string()).expect("manifest");
    let key = dir.join("key.pem").display().to_string();
    let documents = dir.join("documents").display().to_string();
    let app = spawn_app_with(
        Backend::Sqlite,
        &[
            ("PLEJELINK_ENV", "production"),
            ("PLEJELINK_JWT_KEY_FILE", &key),
            ("PLEJELINK_TRUSTED_DOCUMENTS_DIR", &documents),
        ],
    )
    .await
    .expect("sqlite");
    (app, dir)
}

async fn post(app: &TestApp, token: Option<&str>, body: Value) -> Value {
    let mut request = app.client.post(format!("{}/graphql", app.address)).json(&body);
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    request.send().await.expect("send").json().await.expect("json")
}

#[tokio::test]
async fn production_accepts_only_trusted_documents_except_from_admin() {
    let (app, dir) = production().await;
    let nurse_login = json!({ "e": "sygeplejerske.solhaven@demo.dk", "p": "demo-password" });
    let text = post(&app, None, json!({ "query": LOGIN, "variables": nurse_login })).await;
    assert_eq!(error_code(&text), Some("VALIDATION"), "free text is refused: {text:#}");
    assert_eq!(text["errors"][0]["extensions"]["field"], "documentId");
    let login = post(&app, None, json!({ "documentId": document_id(LOGIN), "variables": nurse_login })).await;
    let nurse = login["data"]["login"]["accessToken"].as_str().expect("login by document").to_owned();
    let me = post(&app, Some(&nurse), json!({ "documentId": document_id(ME) })).await;
    assert_eq!(me["data"]["me"]["role"], "NURSE");
    let text = post(&app, Some(&nurse), json!({ "query": ME })).await;
    assert_eq!(error_code(&text), Some("VALIDATION"));
    let unknown = post(&app, Some(&nurse), json!({ "documentId": document_id("{ me { email } }") })).await;
    assert_eq!(error_code(&unknown), Some("VALIDATION"));

    let admin_login = json!({ "e": "admin@demo.dk", "p": "demo-password" });
    let admin = post(&app, None, json!({ "documentId": document_id(LOGIN), "variables": admin_login })).await;
    let admin = admin["data"]["login"]["accessToken"].as_str().expect("admin").to_owned();
    let text = post(&app, Some(&admin), json!({ "query": "{ careCentres { name } }" })).await;
    assert!(text["data"]["careCentres"].is_array(), "ADMIN may send text: {text:#}");

    // Subscriptions too: text is refused, a known document runs.
    let mut text = app.subscribe_with(&nurse, json!({ "query": ALERTS })).await;
    let refused = text.next(5).await.expect("an error");
    assert!(refused.to_string().contains("documentId"), "{refused:#}");
    let mut trusted =
        app.subscribe_with(&nurse, json!({ "query": "", "extensions": { "documentId": document_id(ALERTS) } })).await;
    assert!(trusted.next(1).await.is_none(), "accepted and waiting for alerts");

    // Introspection and field suggestions are off; GraphiQL is not served.
    let introspection = post(&app, Some(&admin), json!({ "query": "{ __schema { types { name } } }" })).await;
    assert!(introspection["data"]["__schema"].is_null(), "{introspection:#}");
    let typo = post(&app, Some(&admin), json!({ "query": "{ careCentres { nme } }" })).await;
    assert!(!typo.to_string().contains("Did you mean"), "{typo:#}");
    let graphiql = app.client.get(format!("{}/graphiql", app.address)).send().await.expect("get");
    assert_eq!(graphiql.status(), 404);
    let _ = std::fs::remove_dir_all(dir);
}

#[tokio::test]
async fn development_accepts_text_and_introspection() {
    let app = plejelink_tests::spawn_app(Backend::Sqlite).await.expect("sqlite");
    let token = app.login("laege.berg@demo.dk").await;
    let me = app.gql(Some(&token), ME, json!({})).await;
    assert_eq!(me["data"]["me"]["role"], "DOCTOR");
    let by_document = app.gql(Some(&token), "", json!({})).await;
    assert_eq!(error_code(&by_document), Some("VALIDATION"), "an empty query is no query");
    let introspection = app.gql(Some(&token), "{ __schema { queryType { name } } }", json!({})).await;
    assert_eq!(introspection["data"]["__schema"]["queryType"]["name"], "QueryRoot");
}
