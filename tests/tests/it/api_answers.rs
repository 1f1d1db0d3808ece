//! The headers on the server's answers, and GraphQL over HTTP's `application/graphql-response+json`
//! (checked with the reference audit of npm `graphql-http` too).

use plejelink_tests::{Backend, TestApp, backends, error_code, spawn_empty_app_with};
use reqwest::header::{
    ACCEPT, CACHE_CONTROL, CONTENT_SECURITY_POLICY, CONTENT_TYPE, HeaderMap, STRICT_TRANSPORT_SECURITY,
    X_CONTENT_TYPE_OPTIONS,
};
use serde_json::{Value, json};
use std::path::{Path, PathBuf};

const API_CSP: &str = "default-src 'none'; frame-ancestors 'none'";
const GRAPHQL_RESPONSE: &str = "application/graphql-response+json";

fn header<'a>(headers: &'a HeaderMap, name: &reqwest::header::HeaderName) -> Option<&'a str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

fn assert_api_headers(what: &str, headers: &HeaderMap) {
    assert_eq!(header(headers, &CACHE_CONTROL), Some("no-store"), "{what}: {headers:?}");
    assert_eq!(header(headers, &X_CONTENT_TYPE_OPTIONS), Some("nosniff"), "{what}: {headers:?}");
    assert_eq!(header(headers, &CONTENT_SECURITY_POLICY), Some(API_CSP), "{what}: {headers:?}");
}

/// A built app with just an index page (the tests do not build the apps).
fn fake_apps() -> PathBuf {
    let dir = std::env::temp_dir().join(format!("plejelink-apps-{}", uuid::Uuid::now_v7().simple()));
    std::fs::create_dir_all(dir.join("nurse/dist")).expect("dir");
    std::fs::write(dir.join("nurse/dist/index.html"), "<!doctype html><title>nurse</title>").expect("index");
    dir
}

async fn post(app: &TestApp, headers: &[(&str, &str)], body: &str) -> reqwest::Response {
    let mut request = app.client.post(format!("{}/graphql", app.address)).body(body.to_owned());
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    request.send().await.expect("send")
}

/// Every answer of the API (GraphQL of every kind, health, readiness, the signing keys) carries
/// `Cache-Control: no-store`, `nosniff` and the API's CSP; GraphiQL and the apps keep their own CSP;
/// development sends no HSTS.
async fn api_answers_carry_the_security_headers(app: TestApp) {
    let json = [("content-type", "application/json")];
    let login = json!({ "query": "mutation($e: String!, $p: String!) { login(email: $e, password: $p) { accessToken } }",
        "variables": { "e": "sygeplejerske.solhaven@demo.dk", "p": plejelink::demo::DEMO_PASSWORD } });
    let answer = post(&app, &json, &login.to_string()).await;
    assert_api_headers("login", answer.headers());
    assert!(header(answer.headers(), &STRICT_TRANSPORT_SECURITY).is_none(), "no HSTS in development");
    let body: Value = answer.json().await.expect("json");
    let token = body["data"]["login"]["accessToken"].as_str().expect("token").to_owned();
    let bearer = format!("Bearer {token}");
    let me = post(&app, &[json[0], ("authorization", &bearer)], r#"{"query":"{ me { email } }"}"#).await;
    assert_eq!(me.status(), 200);
    assert_api_headers("an authenticated query", me.headers());
    let bad_token = post(&app, &[json[0], ("authorization", "Bearer nope")], r#"{"query":"{ me { email } }"}"#).await;
    assert_eq!(bad_token.status(), 401);
    assert_api_headers("a bad token", bad_token.headers());
    let not_json = post(&app, &[("content-type", "text/plain")], "{ me { email } }").await;
    assert_eq!(not_json.status(), 415);
    assert_api_headers("a refused media type", not_json.headers());
    let get = app.client.get(format!("{}/graphql", app.address)).send().await.expect("get");
    assert_eq!(get.status(), 405, "GET is refused on purpose");
    assert_api_headers("GET /graphql", get.headers());
    for path in ["/healthz", "/readyz", "/.well-known/jwks.json"] {
        let answer = app.client.get(format!("{}{path}", app.address)).send().await.expect("get");
        assert_eq!(answer.status(), 200, "{path}");
        assert_api_headers(path, answer.headers());
    }
    // GraphiQL loads its code from a CDN: only framing is forbidden.
    let graphiql = app.client.get(format!("{}/graphiql", app.address)).send().await.expect("get");
    assert_eq!(graphiql.status(), 200);
    assert_eq!(header(graphiql.headers(), &CONTENT_SECURITY_POLICY), Some("frame-ancestors 'none'"));
    assert_eq!(header(graphiql.headers(), &X_CONTENT_TYPE_OPTIONS), Some("nosniff"));
}

/// A production server with one fake app, and `extra` settings.
async fn production(backend: Backend, extra: &[(&str, &str)]) -> Option<(TestApp, PathBuf)> {
    let apps = fake_apps();
    plejelink::auth::jwt::generate_key_file(&apps.join("key.pem")).expect("key");
    let key = apps.join("key.pem").display().to_string();
    let clients = apps.display().to_string();
    let mut settings =
        vec![("PLEJELINK_ENV", "production"), ("PLEJELINK_JWT_KEY_FILE", &key), ("PLEJELINK_CLIENTS_DIR", &clients)];
    settings.extend_from_slice(extra);
    let app = spawn_empty_app_with(backend, &settings).await?;
    Some((app, apps))
}

async fn hsts_of(address: &str, path: &str) -> (Option<String>, HeaderMap) {
    let answer = reqwest::get(format!("{address}{path}")).await.expect("get");
    assert_eq!(answer.status(), 200, "{path}");
    (header(answer.headers(), &STRICT_TRANSPORT_SECURITY).map(str::to_owned), answer.headers().clone())
}

/// Production sends HSTS on every answer (API and apps) unless `PLEJELINK_HSTS` says otherwise;
/// the apps keep their own CSP.
async fn production_sends_hsts_unless_configured_otherwise(backend: Backend) {
    let Some((app, apps)) = production(backend, &[]).await else { return };
    for path in ["/healthz", "/.well-known/jwks.json", "/nurse/"] {
        let (hsts, _) = hsts_of(&app.address, path).await;
        assert_eq!(hsts.as_deref(), Some("max-age=31536000; includeSubDomains"), "{path}");
    }
    let graphql = post(&app, &[("content-type", "application/json")], r#"{"query":"{ me { email } }"}"#).await;
    assert!(graphql.headers().contains_key(STRICT_TRANSPORT_SECURITY));
    assert_api_headers("production GraphQL", graphql.headers());
    let (_, app_headers) = hsts_of(&app.address, "/nurse/").await;
    let csp = header(&app_headers, &CONTENT_SECURITY_POLICY).expect("the apps' CSP");
    assert!(csp.contains("script-src 'self'"), "the apps keep their own CSP: {csp}");
    let _ = std::fs::remove_dir_all(apps);

    let Some((off, apps)) = production(backend, &[("PLEJELINK_HSTS", "off")]).await else { return };
    assert_eq!(hsts_of(&off.address, "/healthz").await.0, None, "HSTS off");
    let _ = std::fs::remove_dir_all(apps);
    let Some((short, apps)) = production(backend, &[("PLEJELINK_HSTS", "max-age=300")]).await else { return };
    assert_eq!(hsts_of(&short.address, "/nurse/").await.0.as_deref(), Some("max-age=300"));
    let _ = std::fs::remove_dir_all(apps);
}

mod production_sends_hsts_unless_configured_otherwise {
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn sqlite() {
        super::production_sends_hsts_unless_configured_otherwise(super::Backend::Sqlite).await;
    }
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn postgres() {
        super::production_sends_hsts_unless_configured_otherwise(super::Backend::Postgres).await;
    }
}

/// With `Accept: application/graphql-response+json`, answers have that media type, and a request
/// that fails before execution (parse, validation, limits, variables) is 400 without `data`; an
/// execution error stays 200. `application/json` clients (the apps) get what they always got.
async fn graphql_response_media_type(app: TestApp) {
    let modern =
        [("content-type", "application/json"), ("accept", "application/graphql-response+json, application/json;q=0.9")];
    let answer = |body: &'static str| {
        let app = &app;
        async move {
            let answer = post(app, &modern, body).await;
            let status = answer.status().as_u16();
            let media = header(answer.headers(), &CONTENT_TYPE).map(str::to_owned);
            let body: Value = answer.json().await.expect("json");
            (status, media, body)
        }
    };
    let (status, media, body) = answer(r#"{"query":"{ __typename }"}"#).await;
    assert_eq!((status, media.as_deref()), (200, Some(GRAPHQL_RESPONSE)));
    assert_eq!(body["data"]["__typename"], "QueryRoot");
    for (what, request) in [
        ("parse", r#"{"query":"{"}"#),
        ("validation", r#"{"query":"{ noSuchField }"}"#),
        ("variables", r#"{"query":"query($id: ID!) { __typename }","variables":{"id":null}}"#),
        ("nodes", r#"{"query":"{ careCentres { residents(first: 100) { nodes { carePlans { id } } } } }"}"#),
    ] {
        let (status, media, body) = answer(request).await;
        assert_eq!((status, media.as_deref()), (400, Some(GRAPHQL_RESPONSE)), "{what}: {body:#}");
        assert!(body.get("data").is_none(), "{what}: no data entry: {body:#}");
        assert_eq!(error_code(&body), Some("VALIDATION"), "{what}: {body:#}");
    }
    // Executed, with a field error (no token): 200 with the data entry.
    let (status, media, body) = answer(r#"{"query":"{ me { email } }"}"#).await;
    assert_eq!((status, media.as_deref()), (200, Some(GRAPHQL_RESPONSE)), "{body:#}");
    assert!(body.get("data").is_some() && error_code(&body) == Some("UNAUTHENTICATED"), "{body:#}");
    // A quality of 0 means "not acceptable".
    let refused =
        post(&app, &[modern[0], (ACCEPT.as_str(), "application/graphql-response+json;q=0")], "{\"query\":\"{\"}").await;
    assert_eq!(header(refused.headers(), &CONTENT_TYPE), Some("application/json"));

    // The apps' `application/json`: 200 with `data: null` and the error, as before.
    for accept in [None, Some("application/json"), Some("*/*")] {
        let mut headers = vec![("content-type", "application/json")];
        headers.extend(accept.map(|a| ("accept", a)));
        let answer = post(&app, &headers, r#"{"query":"{ noSuchField }"}"#).await;
        assert_eq!(answer.status(), 200, "{accept:?}");
        assert_eq!(header(answer.headers(), &CONTENT_TYPE), Some("application/json"), "{accept:?}");
        let body: Value = answer.json().await.expect("json");
        assert!(body["data"].is_null() && body.get("data").is_some(), "{body:#}");
        assert_eq!(error_code(&body), Some("VALIDATION"));
    }
    // No query text (and no documentId) is not a GraphQL request: 400, with the field.
    for request in [r#"{"query":5}"#, r#"{"query":["{ me { email } }"]}"#, r#"{"qeury":"{ __typename }"}"#] {
        let answer = post(&app, &[("content-type", "application/json")], request).await;
        assert_eq!(answer.status(), 400, "{request}");
        let body: Value = answer.json().await.expect("json");
        assert_eq!(error_code(&body), Some("VALIDATION"), "{body:#}");
        assert_eq!(body["errors"][0]["extensions"]["field"], "query", "{body:#}");
    }
}

backends!(api_answers_carry_the_security_headers, graphql_response_media_type);

/// Where `scripts/test.sh` installs the audit (`npm ci` in `tests/graphql-http`).
fn audit_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("graphql-http")
}

/// Runs graphql-http's `serverAudits` (tests/graphql-http/audit.mjs) against the server: no MUST
/// fails, no SHOULD warns, and the only MAY notices are about GET, which the server refuses on
/// purpose (queries and mutations go by POST only, so no request can be made by a link or an
/// image and cached along the way). Without Node or the package it is skipped loudly, unless
/// `PLEJELINK_TEST_REQUIRE_CHROMIUM` is set (CI), where it fails.
async fn graphql_over_http_audit(app: TestApp) {
    let dir = audit_dir();
    let installed = dir.join("node_modules/graphql-http/package.json").is_file();
    let node = std::process::Command::new("node").arg("--version").output().is_ok_and(|o| o.status.success());
    if !installed || !node {
        let why = if node { "run `npm ci` in tests/graphql-http" } else { "no node on PATH" };
        assert!(
            std::env::var_os("PLEJELINK_TEST_REQUIRE_CHROMIUM").is_none(),
            "the GraphQL-over-HTTP audit is required: {why}"
        );
        eprintln!("NOTE: the GraphQL-over-HTTP audit is SKIPPED: {why}");
        return;
    }
    let url = format!("{}/graphql", app.address);
    let output = tokio::task::spawn_blocking(move || {
        std::process::Command::new("node").arg("audit.mjs").arg(url).current_dir(dir).output().expect("node")
    })
    .await
    .expect("audit");
    assert!(output.status.success(), "audit: {}", String::from_utf8_lossy(&output.stderr));
    let results: Vec<Value> = serde_json::from_slice(&output.stdout).expect("audit results");
    let of = |status: &str| results.iter().filter(|r| r["status"] == status).collect::<Vec<_>>();
    let counts: Vec<String> =
        ["ok", "notice", "warn", "error"].iter().map(|s| format!("{} {s}", of(s).len())).collect();
    eprintln!("graphql-http audit: {}", counts.join(", "));
    assert!(results.len() > 50, "the audits ran: {results:#?}");
    assert!(of("error").is_empty(), "MUST: {:#?}", of("error"));
    assert!(of("warn").is_empty(), "SHOULD: {:#?}", of("warn"));
    let notices = of("notice");
    assert!(notices.iter().all(|r| r["name"].as_str().is_some_and(|n| n.contains("GET"))), "MAY: {notices:#?}");
}

backends!(graphql_over_http_audit);
