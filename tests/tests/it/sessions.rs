//! A session ends at once (DESIGN §7): after logout, refresh-token reuse or an ADMIN ending the
//! user's sessions, its access tokens answer 401 on the next request and its subscriptions close
//! (4403; 4401 when the socket's access token expires). Checking a password is throttled like a
//! login, also in `changePassword`.

use entities::refresh_token;
use plejelink_tests::{Backend, Subscription, TestApp, backends, error_code};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::{Value, json};

const LOGIN: &str = "mutation($e: String!, $p: String!) { login(email: $e, password: $p) { accessToken refreshToken viewer { user { id } } } }";
const REFRESH: &str = "mutation($t: String!) { refreshSession(refreshToken: $t) { accessToken refreshToken } }";
const LOGOUT: &str = "mutation($t: String!) { logout(refreshToken: $t) }";
const END_SESSIONS: &str = "mutation($u: ID!) { endSessions(userId: $u) }";
/// What the probe read with a logged-out token: a resident's name and latest pulse.
const READ: &str = "query($c: ID!) { residents(careCentreId: $c, first: 1) { edges { node { id fullName latestObservation { pulse } } } } }";
const CHANGE: &str =
    "mutation($c: String!, $n: String!) { changePassword(currentPassword: $c, newPassword: $n) { accessToken } }";
const ALERTS: &str = "subscription { observationAlerts { riskLevel observation { id } } }";
const RECORD: &str = "mutation($i: RecordObservationInput!) { recordObservation(input: $i) { observation { id } } }";
const NURSE: &str = "sygeplejerske.solhaven@demo.dk";
const OTHER_NURSE_SAME_CENTRE: &str = "koordinator.solhaven@demo.dk";

struct Session {
    access: String,
    refresh: String,
    user_id: Value,
}

async fn session(app: &TestApp, email: &str) -> Session {
    let body = app.gql(None, LOGIN, json!({ "e": email, "p": plejelink::demo::DEMO_PASSWORD })).await;
    let login = &body["data"]["login"];
    Session {
        access: login["accessToken"].as_str().unwrap_or_else(|| panic!("login: {body:#}")).to_owned(),
        refresh: login["refreshToken"].as_str().expect("refresh token").to_owned(),
        user_id: login["viewer"]["user"]["id"].clone(),
    }
}

async fn centre(app: &TestApp, token: &str) -> Value {
    app.data(token, "{ careCentres { id } }", json!({})).await["careCentres"][0]["id"].clone()
}

/// Reads a resident's name and pulse; panics unless it is allowed.
async fn reads(app: &TestApp, token: &str, centre: &Value) {
    let data = app.data(token, READ, json!({ "c": centre })).await;
    assert!(data["residents"]["edges"][0]["node"]["fullName"].is_string(), "{data:#}");
}

/// The token is refused at once: HTTP 401, `UNAUTHENTICATED`, no data.
async fn refused(app: &TestApp, token: &str, centre: &Value) {
    let (status, body) = app.gql_status(Some(token), READ, json!({ "c": centre })).await;
    assert_eq!((status, error_code(&body)), (401, Some("UNAUTHENTICATED")), "{body:#}");
    assert!(body.get("data").is_none_or(Value::is_null), "no data with a dead token: {body:#}");
}

async fn logout_refuses_the_sessions_access_tokens_at_once(app: TestApp) {
    let ended = session(&app, NURSE).await;
    let other = session(&app, NURSE).await;
    let centre = centre(&app, &ended.access).await;
    reads(&app, &ended.access, &centre).await;
    assert_eq!(app.data(&ended.access, LOGOUT, json!({ "t": ended.refresh })).await["logout"], true);
    refused(&app, &ended.access, &centre).await;
    reads(&app, &other.access, &centre).await;
}

async fn refresh_token_reuse_refuses_the_sessions_access_tokens(app: TestApp) {
    let first = session(&app, NURSE).await;
    let centre = centre(&app, &first.access).await;
    let rotated = app.data(&first.access, REFRESH, json!({ "t": first.refresh })).await;
    let second_access = rotated["refreshSession"]["accessToken"].as_str().expect("access").to_owned();
    reads(&app, &second_access, &centre).await;
    // Past the grace window for a lost answer, the used token comes back: theft or a bug.
    app.age_refresh_rotations().await;
    let reuse = app.gql(None, REFRESH, json!({ "t": first.refresh })).await;
    assert_eq!(error_code(&reuse), Some("UNAUTHENTICATED"), "{reuse:#}");
    refused(&app, &first.access, &centre).await;
    refused(&app, &second_access, &centre).await;
}

async fn an_admin_ends_every_session_of_a_user(app: TestApp) {
    let (one, two) = (session(&app, NURSE).await, session(&app, NURSE).await);
    let centre = centre(&app, &one.access).await;
    let denied = app.gql(Some(&two.access), END_SESSIONS, json!({ "u": one.user_id })).await;
    assert_eq!(error_code(&denied), Some("FORBIDDEN"), "only an ADMIN: {denied:#}");
    let admin = session(&app, "admin@demo.dk").await;
    assert_eq!(app.data(&admin.access, END_SESSIONS, json!({ "u": one.user_id })).await["endSessions"], true);
    refused(&app, &one.access, &centre).await;
    refused(&app, &two.access, &centre).await;
    assert_eq!(error_code(&app.gql(None, REFRESH, json!({ "t": two.refresh })).await), Some("UNAUTHENTICATED"));
    // The account stays active: its user signs in again.
    let again = session(&app, NURSE).await;
    reads(&app, &again.access, &centre).await;
}

/// Records a HIGH observation (an alert for the centre's staff) as `token`; returns its id.
async fn raise_alert(app: &TestApp, token: &str, centre: &Value) -> Value {
    let residents = app.data(token, READ, json!({ "c": centre })).await;
    let input = json!({
        "clientMutationId": uuid::Uuid::new_v4().to_string(),
        "residentId": residents["residents"]["edges"][0]["node"]["id"],
        "recordedAt": app.now.to_rfc3339(),
        "respirationRate": 26, "oxygenSaturation": 97, "onSupplementalOxygen": false,
        "systolicBp": 95, "diastolicBp": 60, "pulse": 125, "consciousness": "ALERT", "temperature": 37.0,
    });
    app.data(token, RECORD, json!({ "i": input })).await["recordObservation"]["observation"]["id"].clone()
}

async fn alert_arrives(subscription: &mut Subscription, id: &Value) {
    let alert = subscription.next(5).await.expect("an alert while the session lives");
    assert_eq!(alert["data"]["observationAlerts"]["observation"]["id"], *id, "{alert:#}");
}

async fn a_subscription_closes_when_its_session_ends(app: TestApp) {
    let (ended, kept) = (session(&app, NURSE).await, session(&app, NURSE).await);
    let colleague = session(&app, OTHER_NURSE_SAME_CENTRE).await;
    let centre = centre(&app, &colleague.access).await;
    let mut logged_out = app.subscribe(&ended.access, ALERTS, json!({})).await;
    let mut by_admin = app.subscribe(&kept.access, ALERTS, json!({})).await;
    let id = raise_alert(&app, &colleague.access, &centre).await;
    alert_arrives(&mut logged_out, &id).await;
    alert_arrives(&mut by_admin, &id).await;

    app.data(&ended.access, LOGOUT, json!({ "t": ended.refresh })).await;
    assert_eq!(logged_out.closed(5).await, Ok(Some(4403)), "logout closes the session's socket");
    assert_eq!(by_admin.closed(1).await, Ok(None), "another session of the same user stays open");

    let admin = session(&app, "admin@demo.dk").await;
    app.data(&admin.access, END_SESSIONS, json!({ "u": kept.user_id })).await;
    assert_eq!(by_admin.closed(5).await, Ok(Some(4403)), "an ADMIN ending the sessions closes it");
}

/// Without being told (the session is revoked behind the server's back, so no event says so),
/// the session is still checked before an event is delivered: nothing is delivered, the socket closes.
async fn a_subscription_checks_its_session_before_each_event(app: TestApp) {
    let nurse = session(&app, NURSE).await;
    let colleague = session(&app, OTHER_NURSE_SAME_CENTRE).await;
    let centre = centre(&app, &colleague.access).await;
    let mut subscription = app.subscribe(&nurse.access, ALERTS, json!({})).await;
    refresh_token::Entity::update_many()
        .col_expr(refresh_token::Column::RevokedAt, Expr::value(chrono::Utc::now()))
        .filter(refresh_token::Column::UserId.eq(plejelink_tests::uuid_of(&nurse.user_id)))
        .exec(&app.db)
        .await
        .expect("revoke behind the server's back");
    raise_alert(&app, &colleague.access, &centre).await;
    assert_eq!(subscription.closed(5).await, Ok(Some(4403)), "no alert for an ended session");
}

/// The socket closes when the access token it was opened with expires (here after 3 s), whatever
/// the HTTP leeway; events until then arrive.
async fn a_subscription_closes_when_its_token_expires(backend: Backend) {
    let extra = [("PLEJELINK_ACCESS_TOKEN_SECONDS", "3")];
    let Some(app) = plejelink_tests::spawn_app_with(backend, &extra).await else { return };
    let nurse = session(&app, NURSE).await;
    let opened = std::time::Instant::now();
    let mut subscription = app.subscribe(&nurse.access, ALERTS, json!({})).await;
    let colleague = session(&app, OTHER_NURSE_SAME_CENTRE).await;
    let centre = centre(&app, &colleague.access).await;
    let id = raise_alert(&app, &colleague.access, &centre).await;
    alert_arrives(&mut subscription, &id).await;
    assert_eq!(subscription.closed(8).await, Ok(Some(4401)), "the token expired");
    assert!(opened.elapsed() < std::time::Duration::from_secs(6), "closed at the expiry, not after the leeway");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_subscription_closes_when_its_token_expires_sqlite() {
    a_subscription_closes_when_its_token_expires(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_subscription_closes_when_its_token_expires_postgres() {
    a_subscription_closes_when_its_token_expires(Backend::Postgres).await;
}

fn retry_after(body: &Value) -> u64 {
    assert_eq!(error_code(body), Some("RATE_LIMITED"), "{body:#}");
    body["errors"][0]["extensions"]["retryAfter"].as_u64().unwrap_or_else(|| panic!("retryAfter: {body:#}"))
}

/// A stolen access token must not allow unthrottled guessing: wrong current passwords count as
/// failed logins of the account (the budget is shared with `login`), and then even the right one waits.
async fn a_wrong_current_password_counts_as_a_failed_login(app: TestApp) {
    let nurse = session(&app, NURSE).await;
    let new = json!("et nyt og langt kodeord");
    for guess in 0..5 {
        let body = app.gql(Some(&nurse.access), CHANGE, json!({ "c": format!("gæt {guess}"), "n": new })).await;
        assert_eq!(error_code(&body), Some("VALIDATION"), "guess {guess}: {body:#}");
    }
    let right = app.gql(Some(&nurse.access), CHANGE, json!({ "c": plejelink::demo::DEMO_PASSWORD, "n": new })).await;
    assert!((1..=900).contains(&retry_after(&right)), "{right:#}");
    let login = app.gql(None, LOGIN, json!({ "e": NURSE, "p": plejelink::demo::DEMO_PASSWORD })).await;
    assert!(retry_after(&login) > 0, "the account is locked for login too");
    // Nothing changed: the old password is still the password.
    let other = session(&app, OTHER_NURSE_SAME_CENTRE).await;
    assert!(other.access.len() > 20);
}

/// Per client address too: the address budget (here 4 a minute) counts logins and password changes.
async fn password_changes_count_against_the_address(backend: Backend) {
    let extra = [("PLEJELINK_LOGIN_ATTEMPTS_PER_ADDRESS", "4")];
    let Some(app) = plejelink_tests::spawn_app_with(backend, &extra).await else { return };
    let nurse = session(&app, NURSE).await;
    for guess in 0..3 {
        let body =
            app.gql(Some(&nurse.access), CHANGE, json!({ "c": format!("gæt {guess}"), "n": "x".repeat(12) })).await;
        assert_eq!(error_code(&body), Some("VALIDATION"), "guess {guess}: {body:#}");
    }
    let refused = app.gql(Some(&nurse.access), CHANGE, json!({ "c": "gæt 4", "n": "x".repeat(12) })).await;
    assert!((1..=60).contains(&retry_after(&refused)), "{refused:#}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn password_changes_count_against_the_address_sqlite() {
    password_changes_count_against_the_address(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn password_changes_count_against_the_address_postgres() {
    password_changes_count_against_the_address(Backend::Postgres).await;
}

backends!(
    logout_refuses_the_sessions_access_tokens_at_once,
    refresh_token_reuse_refuses_the_sessions_access_tokens,
    an_admin_ends_every_session_of_a_user,
    a_subscription_closes_when_its_session_ends,
    a_subscription_checks_its_session_before_each_event,
    a_wrong_current_password_counts_as_a_failed_login,
);
