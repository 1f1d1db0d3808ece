//! Login, sessions and the viewer resolved per request.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use entities::user;
use plejelink_tests::{TestApp, backends, error_code};
use sea_orm::sea_query::Expr;
use sea_orm::{ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, IntoActiveModel, QueryFilter};
use serde_json::json;

const LOGIN: &str = "mutation($e: String!, $p: String!) { login(email: $e, password: $p) { accessToken refreshToken expiresAt viewer { role email } } }";
const REFRESH: &str = "mutation($t: String!) { refreshSession(refreshToken: $t) { accessToken refreshToken } }";

async fn every_demo_login_works_with_its_role(app: TestApp) {
    for (email, role) in plejelink::demo::DEMO_LOGINS {
        let body = app.gql(None, LOGIN, json!({ "e": email.to_uppercase(), "p": "demo-password" })).await;
        let login = &body["data"]["login"];
        assert_eq!(login["viewer"]["email"], *email, "{body:#}");
        assert!(role.starts_with(login["viewer"]["role"].as_str().expect("role")), "{email}: {body:#}");
        let token = login["accessToken"].as_str().expect("token");
        let me = app.data(token, "{ me { email role } }", json!({})).await;
        assert_eq!(me["me"]["email"], *email);
        // Header claims: EdDSA with a key id.
        let header = token.split('.').next().expect("header");
        let header = URL_SAFE_NO_PAD.decode(header).expect("base64url");
        let header: serde_json::Value = serde_json::from_slice(&header).expect("header JSON");
        assert_eq!(header["alg"], "EdDSA");
        assert!(header["kid"].is_string());
    }
}

async fn wrong_password_and_unknown_email_look_the_same(app: TestApp) {
    let wrong = app.gql(None, LOGIN, json!({ "e": "laege.hansen@demo.dk", "p": "nope" })).await;
    let unknown = app.gql(None, LOGIN, json!({ "e": "nobody@demo.dk", "p": "demo-password" })).await;
    assert_eq!(error_code(&wrong), Some("UNAUTHENTICATED"));
    assert_eq!(wrong["errors"][0]["message"], unknown["errors"][0]["message"]);
    assert_eq!(error_code(&unknown), Some("UNAUTHENTICATED"));
}

async fn requests_without_or_with_bad_tokens_are_unauthenticated(app: TestApp) {
    let anonymous = app.gql(None, "{ me { email } }", json!({})).await;
    assert_eq!(error_code(&anonymous), Some("UNAUTHENTICATED"));
    let forged = app.gql(Some("eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0."), "{ me { email } }", json!({})).await;
    assert_eq!(error_code(&forged), Some("UNAUTHENTICATED"));
    assert!(forged.get("data").is_none() || forged["data"].is_null());
}

async fn refresh_rotates_and_reuse_revokes_the_session(app: TestApp) {
    let body = app.gql(None, LOGIN, json!({ "e": "sygeplejerske.solhaven@demo.dk", "p": "demo-password" })).await;
    let first = body["data"]["login"]["refreshToken"].as_str().expect("refresh").to_owned();
    let rotated = app.gql(None, REFRESH, json!({ "t": first })).await;
    let second = rotated["data"]["refreshSession"]["refreshToken"].as_str().expect("rotated").to_owned();
    assert_ne!(first, second);
    let access = rotated["data"]["refreshSession"]["accessToken"].as_str().expect("access").to_owned();
    app.data(&access, "{ me { email } }", json!({})).await;
    // A lost response: the retry within the grace window gets the very same pair.
    let retry = app.gql(None, REFRESH, json!({ "t": first })).await;
    assert_eq!(retry["data"]["refreshSession"]["refreshToken"], second.as_str(), "{retry:#}");
    assert_eq!(retry["data"]["refreshSession"]["accessToken"], access.as_str());
    // After the grace window, reusing the first token is theft or a bug: the whole session ends.
    app.age_refresh_rotations().await;
    let reuse = app.gql(None, REFRESH, json!({ "t": first })).await;
    assert_eq!(error_code(&reuse), Some("UNAUTHENTICATED"));
    let after = app.gql(None, REFRESH, json!({ "t": second })).await;
    assert_eq!(error_code(&after), Some("UNAUTHENTICATED"));
}

async fn logout_ends_the_refresh_token(app: TestApp) {
    let body = app.gql(None, LOGIN, json!({ "e": "laege.berg@demo.dk", "p": "demo-password" })).await;
    let refresh = body["data"]["login"]["refreshToken"].as_str().expect("refresh").to_owned();
    let out = app.gql(None, "mutation($t: String!) { logout(refreshToken: $t) }", json!({ "t": refresh })).await;
    assert_eq!(out["data"]["logout"], true);
    let again = app.gql(None, REFRESH, json!({ "t": refresh })).await;
    assert_eq!(error_code(&again), Some("UNAUTHENTICATED"));
}

async fn deactivation_ends_access_at_once(app: TestApp) {
    let token = app.login("sygeplejerske.solhaven@demo.dk").await;
    app.data(&token, "{ me { email } }", json!({})).await;
    let nurse = user::Entity::find()
        .filter(user::Column::Email.eq("sygeplejerske.solhaven@demo.dk"))
        .one(&app.db)
        .await
        .expect("q")
        .expect("nurse");
    let mut nurse = nurse.into_active_model();
    nurse.active = Set(false);
    nurse.update(&app.db).await.expect("deactivate");
    let body = app.gql(Some(&token), "{ me { email } }", json!({})).await;
    assert_eq!(error_code(&body), Some("UNAUTHENTICATED"));
}

async fn a_deactivated_account_cannot_refresh(app: TestApp) {
    let body = app.gql(None, LOGIN, json!({ "e": "sygeplejerske.lindegaarden@demo.dk", "p": "demo-password" })).await;
    let refresh = body["data"]["login"]["refreshToken"].as_str().expect("refresh").to_owned();
    user::Entity::update_many()
        .col_expr(user::Column::Active, Expr::value(false))
        .filter(user::Column::Email.eq("sygeplejerske.lindegaarden@demo.dk"))
        .exec(&app.db)
        .await
        .expect("deactivate");
    assert_eq!(error_code(&app.gql(None, REFRESH, json!({ "t": refresh })).await), Some("UNAUTHENTICATED"));
}

async fn failed_logins_are_rate_limited_per_account(app: TestApp) {
    for _ in 0..5 {
        let body = app.gql(None, LOGIN, json!({ "e": "laege.berg@demo.dk", "p": "wrong" })).await;
        assert_eq!(error_code(&body), Some("UNAUTHENTICATED"));
    }
    let body = app.gql(None, LOGIN, json!({ "e": "LAEGE.BERG@demo.dk", "p": "demo-password" })).await;
    assert_eq!(error_code(&body), Some("RATE_LIMITED"), "even the right password waits: {body:#}");
    let other = app.gql(None, LOGIN, json!({ "e": "laege.hansen@demo.dk", "p": "demo-password" })).await;
    assert!(other["data"]["login"]["accessToken"].is_string(), "other accounts are not affected");
}

#[tokio::test]
async fn logins_are_rate_limited_per_address() {
    let app = plejelink_tests::spawn_empty_app_with(
        plejelink_tests::Backend::Sqlite,
        &[("PLEJELINK_LOGIN_ATTEMPTS_PER_ADDRESS", "3")],
    )
    .await
    .expect("sqlite");
    for n in 0..3 {
        let body = app.gql(None, LOGIN, json!({ "e": format!("user{n}@demo.dk"), "p": "x" })).await;
        assert_eq!(error_code(&body), Some("UNAUTHENTICATED"));
    }
    let body = app.gql(None, LOGIN, json!({ "e": "someone.else@demo.dk", "p": "x" })).await;
    assert_eq!(error_code(&body), Some("RATE_LIMITED"));
}

async fn a_password_change_ends_every_other_session(app: TestApp) {
    let first = app.gql(None, LOGIN, json!({ "e": "koordinator.solhaven@demo.dk", "p": "demo-password" })).await;
    let other_access = first["data"]["login"]["accessToken"].as_str().expect("access").to_owned();
    let other_refresh = first["data"]["login"]["refreshToken"].as_str().expect("refresh").to_owned();
    let token = app.login("koordinator.solhaven@demo.dk").await;
    const CHANGE: &str =
        "mutation($c: String!, $n: String!) { changePassword(currentPassword: $c, newPassword: $n) { accessToken } }";
    let wrong = app.gql(Some(&token), CHANGE, json!({ "c": "nope", "n": "et nyt langt kodeord" })).await;
    assert_eq!(wrong["errors"][0]["extensions"]["field"], "currentPassword");
    let changed = app.data(&token, CHANGE, json!({ "c": "demo-password", "n": "et nyt langt kodeord" })).await;
    let fresh = changed["changePassword"]["accessToken"].as_str().expect("new session").to_owned();
    app.data(&fresh, "{ me { email } }", json!({})).await;
    for stale in [&other_access, &token] {
        assert_eq!(error_code(&app.gql(Some(stale), "{ me { email } }", json!({})).await), Some("UNAUTHENTICATED"));
    }
    assert_eq!(error_code(&app.gql(None, REFRESH, json!({ "t": other_refresh })).await), Some("UNAUTHENTICATED"));
    let old = app.gql(None, LOGIN, json!({ "e": "koordinator.solhaven@demo.dk", "p": "demo-password" })).await;
    assert_eq!(error_code(&old), Some("UNAUTHENTICATED"));
}

backends!(
    a_password_change_ends_every_other_session,
    failed_logins_are_rate_limited_per_account,
    every_demo_login_works_with_its_role,
    wrong_password_and_unknown_email_look_the_same,
    requests_without_or_with_bad_tokens_are_unauthenticated,
    refresh_rotates_and_reuse_revokes_the_session,
    logout_ends_the_refresh_token,
    deactivation_ends_access_at_once,
    a_deactivated_account_cannot_refresh,
);
