//! Relatives' invitations (DESIGN §3, §4): only the coordinator of the resident's centre invites;
//! the one-time code is stored hashed, used exactly once (also when two race), expires after 7
//! days; the relative then sees their resident only, for the year their consent lasts.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Duration, Utc};
use entities::{audit_event, invite, relative_link, user};
use plejelink_tests::{TestApp, backends, error_code, uuid_of};
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use serde_json::{Value, json};
use uuid::Uuid;

const INVITE: &str =
    "mutation($i: InviteRelativeInput!) { inviteRelative(input: $i) { id email relation expiresAt code } }";
const ACCEPT: &str = "mutation($c: String!, $p: String!, $n: String!) { acceptInvite(code: $c, password: $p, displayName: $n) { accessToken refreshToken viewer { role email displayName residents { id } } } }";
const PASSWORD: &str = "et langt kodeord 1";
const SEES: &str = "query($r: ID!) { resident(id: $r) { id } }";

fn time(value: &Value) -> DateTime<Utc> {
    value.as_str().expect("time").parse().expect("RFC 3339")
}

fn field(body: &Value) -> &str {
    body["errors"][0]["extensions"]["field"].as_str().unwrap_or_else(|| panic!("no field: {body:#}"))
}

struct Residents {
    /// Solhaven residents no relative is linked to.
    solhaven: Vec<Value>,
    lindegaarden: Value,
    solhaven_id: Value,
}

async fn residents(app: &TestApp) -> Residents {
    let admin = app.login("admin@demo.dk").await;
    let data =
        app.data(&admin, "{ careCentres { id name residents(first: 50) { edges { node { id } } } } }", json!({})).await;
    let linked: Vec<Uuid> =
        relative_link::Entity::find().all(&app.db).await.expect("links").iter().map(|l| l.resident_id).collect();
    let centre = |name: &str| {
        data["careCentres"].as_array().expect("centres").iter().find(|c| c["name"] == name).expect("centre").clone()
    };
    let ids = |centre: &Value| -> Vec<Value> {
        centre["residents"]["edges"].as_array().expect("edges").iter().map(|e| e["node"]["id"].clone()).collect()
    };
    let solhaven = centre("Plejecenter Solhaven");
    Residents {
        solhaven: ids(&solhaven).into_iter().filter(|r| !linked.contains(&uuid_of(r))).collect(),
        lindegaarden: ids(&centre("Plejecenter Lindegården"))[0].clone(),
        solhaven_id: solhaven["id"].clone(),
    }
}

/// The Solhaven coordinator invites `email` to `resident`; returns the plain code.
async fn invite(app: &TestApp, resident: &Value, email: &str) -> String {
    let coordinator = app.login("koordinator.solhaven@demo.dk").await;
    let data = app
        .data(&coordinator, INVITE, json!({ "i": { "residentId": resident, "email": email, "relation": "Datter" } }))
        .await;
    data["inviteRelative"]["code"].as_str().expect("code").to_owned()
}

async fn accept(app: &TestApp, code: &str, password: &str, name: &str) -> Value {
    app.gql(None, ACCEPT, json!({ "c": code, "p": password, "n": name })).await
}

async fn users_with(app: &TestApp, email: &str) -> u64 {
    user::Entity::find().filter(user::Column::Email.eq(email)).count(&app.db).await.expect("count")
}

async fn stored_invite(app: &TestApp, email: &str) -> invite::Model {
    invite::Entity::find().filter(invite::Column::Email.eq(email)).one(&app.db).await.expect("q").expect("invite")
}

async fn only_the_coordinator_of_the_centre_invites_and_the_code_is_stored_hashed(app: TestApp) {
    let residents = residents(&app).await;
    let resident = &residents.solhaven[0];
    let input =
        |email: &str, relation: &str| json!({ "i": { "residentId": resident, "email": email, "relation": relation } });
    for login in ["sygeplejerske.solhaven@demo.dk", "laege.hansen@demo.dk", "paaroerende@demo.dk", "admin@demo.dk"] {
        let token = app.login(login).await;
        let body = app.gql(Some(&token), INVITE, input("ny@demo.dk", "Søn")).await;
        assert_eq!(error_code(&body), Some("FORBIDDEN"), "{login}: {body:#}");
    }
    let elsewhere = app.login("koordinator.lindegaarden@demo.dk").await;
    let body = app.gql(Some(&elsewhere), INVITE, input("ny@demo.dk", "Søn")).await;
    assert_eq!(error_code(&body), Some("NOT_FOUND"), "a resident of another centre: {body:#}");

    let coordinator = app.login("koordinator.solhaven@demo.dk").await;
    for email in ["ikke en adresse", "", "sygeplejerske.solhaven@demo.dk"] {
        let body = app.gql(Some(&coordinator), INVITE, input(email, "Søn")).await;
        assert_eq!(field(&body), "email", "{email}: {body:#}");
    }
    assert_eq!(field(&app.gql(Some(&coordinator), INVITE, input("ny@demo.dk", " ")).await), "relation");
    assert_eq!(invite::Entity::find().count(&app.db).await.expect("count"), 0, "nothing stored after refusals");

    let data = app.data(&coordinator, INVITE, input("Ny.Paaroerende@Demo.DK", " Datter ")).await;
    let payload = &data["inviteRelative"];
    assert_eq!(payload["email"], "ny.paaroerende@demo.dk");
    assert_eq!(payload["relation"], "Datter");
    assert_eq!(time(&payload["expiresAt"]), app.now + Duration::days(7));
    let code = payload["code"].as_str().expect("code");
    assert!(code.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'), "URL-safe: {code}");
    assert!(URL_SAFE_NO_PAD.decode(code).expect("base64url").len() >= 16, "at least 128 random bits");

    let rows = invite::Entity::find().all(&app.db).await.expect("invites");
    assert_eq!(rows.len(), 1);
    let row = &rows[0];
    assert!(!format!("{row:?}").contains(code), "the plain code is in no column: {row:?}");
    assert!(row.code_hash.len() == 64 && row.code_hash.chars().all(|c| c.is_ascii_hexdigit()), "a SHA-256");
    assert_eq!(row.resident_id, uuid_of(resident));

    let second = invite(&app, resident, "ny.paaroerende@demo.dk").await;
    assert_ne!(second, code, "every invitation has its own code");

    let logged = audit_event::Entity::find()
        .filter(audit_event::Column::ResidentId.eq(uuid_of(resident)))
        .filter(audit_event::Column::Action.eq("WRITE"))
        .filter(audit_event::Column::ActorRole.eq("COORDINATOR"))
        .filter(audit_event::Column::Outcome.eq("ALLOWED"))
        .count(&app.db)
        .await
        .expect("audit");
    assert_eq!(logged, 2, "each invitation is in the resident's access log");
}

async fn an_invitation_is_accepted_exactly_once_even_when_two_race(app: TestApp) {
    let residents = residents(&app).await;
    let resident = &residents.solhaven[0];
    let code = invite(&app, resident, "ole.lund@demo.dk").await;

    let short = accept(&app, &code, "elleve tegn", "Ole Lund").await;
    assert_eq!(field(&short), "password", "{short:#}");
    assert_eq!(field(&accept(&app, &code, PASSWORD, "  ").await), "displayName");
    assert_eq!(users_with(&app, "ole.lund@demo.dk").await, 0, "nothing stored after a refused acceptance");
    assert!(stored_invite(&app, "ole.lund@demo.dk").await.accepted_at.is_none());

    let (a, b) = tokio::join!(accept(&app, &code, PASSWORD, "Ole Lund"), accept(&app, &code, PASSWORD, "Ole Lund"));
    let won = |r: &Value| r["data"]["acceptInvite"]["accessToken"].is_string();
    assert_eq!([&a, &b].iter().filter(|r| won(r)).count(), 1, "used exactly once: {a:#} {b:#}");
    let (winner, loser) = if won(&a) { (&a, &b) } else { (&b, &a) };
    assert_eq!(field(loser), "code", "{loser:#}");
    let viewer = &winner["data"]["acceptInvite"]["viewer"];
    assert_eq!(viewer["role"], "RELATIVE");
    assert_eq!(viewer["email"], "ole.lund@demo.dk");
    assert_eq!(viewer["displayName"], "Ole Lund");
    assert_eq!(viewer["residents"], json!([{ "id": resident }]));

    assert_eq!(users_with(&app, "ole.lund@demo.dk").await, 1, "one account");
    let account = user::Entity::find()
        .filter(user::Column::Email.eq("ole.lund@demo.dk"))
        .one(&app.db)
        .await
        .expect("q")
        .expect("account");
    assert!(account.password_hash.starts_with("$argon2id$"), "argon2id");
    let links = relative_link::Entity::find()
        .filter(relative_link::Column::RelativeUserId.eq(account.id))
        .all(&app.db)
        .await
        .expect("links");
    assert_eq!(links.len(), 1, "one link");
    assert_eq!(links[0].resident_id, uuid_of(resident));
    assert_eq!(links[0].relation, "Datter");
    assert_eq!(links[0].consent_recorded_at, app.now);
    assert_eq!(links[0].consent_expires_at, app.now + Duration::days(365), "consent lasts one year at most");
    let used = stored_invite(&app, "ole.lund@demo.dk").await;
    assert_eq!(used.accepted_at, Some(app.now));
    assert_eq!(used.accepted_user_id, Some(account.id));

    let again = accept(&app, &code, PASSWORD, "Ole Lund").await;
    assert_eq!(field(&again), "code", "{again:#}");
    let logged = audit_event::Entity::find()
        .filter(audit_event::Column::ResidentId.eq(uuid_of(resident)))
        .filter(audit_event::Column::ActorId.eq(account.id))
        .filter(audit_event::Column::Action.eq("WRITE"))
        .count(&app.db)
        .await
        .expect("audit");
    assert_eq!(logged, 1, "the acceptance is in the resident's access log");
}

async fn the_relative_sees_their_resident_only_while_consent_lasts(app: TestApp) {
    let residents = residents(&app).await;
    let resident = &residents.solhaven[0];
    let code = invite(&app, resident, "karen@demo.dk").await;
    // Six days later (the domain clock runs ahead of the token clock): still valid, and the
    // session works on the next request.
    let accepted_at = app.now + Duration::days(6);
    app.clock.set(accepted_at);
    let body = accept(&app, &code, PASSWORD, "Karen Holm").await;
    let token = body["data"]["acceptInvite"]["accessToken"].as_str().unwrap_or_else(|| panic!("{body:#}")).to_owned();
    let refresh = body["data"]["acceptInvite"]["refreshToken"].as_str().expect("refresh").to_owned();

    let me = app.data(&token, "{ me { role residents { id } careCentres { name } } }", json!({})).await;
    assert_eq!(me["me"]["role"], "RELATIVE");
    assert_eq!(me["me"]["residents"], json!([{ "id": resident }]));
    assert_eq!(me["me"]["careCentres"], json!([{ "name": "Plejecenter Solhaven" }]));
    assert_eq!(app.data(&token, SEES, json!({ "r": resident })).await["resident"]["id"], *resident);
    for other in [&residents.solhaven[1], &residents.lindegaarden] {
        let body = app.gql(Some(&token), SEES, json!({ "r": other })).await;
        assert_eq!(error_code(&body), Some("NOT_FOUND"), "{body:#}");
    }
    let roster = app
        .data(
            &token,
            "query($c: ID!) { residents(careCentreId: $c) { totalCount edges { node { id } } } }",
            json!({ "c": residents.solhaven_id }),
        )
        .await;
    assert_eq!(roster["residents"]["totalCount"], 1, "{roster:#}");
    assert_eq!(roster["residents"]["edges"][0]["node"]["id"], *resident);
    let refreshed = app
        .gql(
            None,
            "mutation($t: String!) { refreshSession(refreshToken: $t) { accessToken } }",
            json!({ "t": refresh }),
        )
        .await;
    assert!(refreshed["data"]["refreshSession"]["accessToken"].is_string(), "{refreshed:#}");

    // A year of consent: the day before it ends the resident is there, after it they are gone.
    app.clock.set(accepted_at + Duration::days(364));
    assert_eq!(app.data(&token, "{ me { residents { id } } }", json!({})).await["me"]["residents"][0]["id"], *resident);
    app.clock.set(accepted_at + Duration::days(365) + Duration::minutes(1));
    let me = app.data(&token, "{ me { residents { id } careCentres { name } } }", json!({})).await;
    assert_eq!(me["me"]["residents"], json!([]), "consent expired: {me:#}");
    assert_eq!(me["me"]["careCentres"], json!([]));
    assert_eq!(error_code(&app.gql(Some(&token), SEES, json!({ "r": resident })).await), Some("NOT_FOUND"));
}

async fn codes_expire_after_seven_days_and_unusable_codes_look_alike(app: TestApp) {
    let residents = residents(&app).await;
    let late = invite(&app, &residents.solhaven[0], "sen@demo.dk").await;
    let in_time = invite(&app, &residents.solhaven[1], "rettidig@demo.dk").await;
    app.clock.set(app.now + Duration::days(7) - Duration::minutes(1));
    let body = accept(&app, &in_time, PASSWORD, "Rettidig").await;
    assert!(body["data"]["acceptInvite"]["accessToken"].is_string(), "valid until 7 days: {body:#}");

    app.clock.set(app.now + Duration::days(8));
    let expired = accept(&app, &late, PASSWORD, "Sen").await;
    let used = accept(&app, &in_time, PASSWORD, "Rettidig").await;
    let unknown = accept(&app, "aldrig-udstedt-kode-0123456789", PASSWORD, "Ukendt").await;
    for body in [&expired, &used, &unknown] {
        assert_eq!(error_code(body), Some("VALIDATION"), "{body:#}");
        assert_eq!(field(body), "code");
        assert_eq!(body["errors"][0]["message"], expired["errors"][0]["message"], "the same answer for all three");
    }
    assert_eq!(users_with(&app, "sen@demo.dk").await, 0, "an expired code creates nothing");
    assert!(stored_invite(&app, "sen@demo.dk").await.accepted_at.is_none());
}

async fn an_existing_relative_account_is_reused_with_its_own_password(app: TestApp) {
    let residents = residents(&app).await;
    let resident = &residents.solhaven[0];
    let before = app.login("paaroerende@demo.dk").await;
    let had = app.data(&before, "{ me { residents { id } } }", json!({})).await["me"]["residents"].clone();
    assert_eq!(had.as_array().expect("residents").len(), 1);

    let code = invite(&app, resident, "Paaroerende@demo.dk").await;
    let wrong = accept(&app, &code, "ikke det rigtige kodeord", "Susanne").await;
    assert_eq!(field(&wrong), "password", "{wrong:#}");
    assert!(stored_invite(&app, "paaroerende@demo.dk").await.accepted_at.is_none(), "the code is not used up");

    let body = accept(&app, &code, plejelink::demo::DEMO_PASSWORD, "Et andet navn").await;
    let viewer = &body["data"]["acceptInvite"]["viewer"];
    assert_eq!(viewer["displayName"], "Susanne Holm", "the account keeps its name: {body:#}");
    let ids: Vec<&Value> = viewer["residents"].as_array().expect("residents").iter().map(|r| &r["id"]).collect();
    assert_eq!(ids.len(), 2, "{body:#}");
    assert!(ids.contains(&resident) && ids.contains(&&had[0]["id"]));
    assert_eq!(users_with(&app, "paaroerende@demo.dk").await, 1, "no second account");

    // An invited email that became a staff account is not turned into a relative.
    let code = invite(&app, resident, "ny.kollega@demo.dk").await;
    let admin = app.login("admin@demo.dk").await;
    app.data(
        &admin,
        "mutation($i: CreateUserInput!) { createUser(input: $i) { user { id } } }",
        json!({ "i": { "email": "ny.kollega@demo.dk", "displayName": "Ny Kollega", "role": "NURSE", "password": PASSWORD } }),
    )
    .await;
    assert_eq!(error_code(&accept(&app, &code, PASSWORD, "Ny Kollega").await), Some("CONFLICT"));
    assert!(stored_invite(&app, "ny.kollega@demo.dk").await.accepted_at.is_none());
    assert_eq!(relative_link::Entity::find().count(&app.db).await.expect("links"), 3, "2 demo links + 1");
}

/// An unused code must not be a way to guess an existing account's password without a limit: wrong
/// passwords count as failed logins of that account, after which even the right one waits.
async fn guessing_the_existing_accounts_password_through_an_invitation_is_throttled(app: TestApp) {
    let residents = residents(&app).await;
    let code = invite(&app, &residents.solhaven[0], "paaroerende@demo.dk").await;
    for guess in 0..5 {
        let wrong = accept(&app, &code, &format!("forkert gæt nummer {guess}"), "Susanne").await;
        assert_eq!(field(&wrong), "password", "guess {guess}: {wrong:#}");
    }
    let right = accept(&app, &code, plejelink::demo::DEMO_PASSWORD, "Susanne").await;
    assert_eq!(error_code(&right), Some("RATE_LIMITED"), "{right:#}");
    assert!(right["errors"][0]["extensions"]["retryAfter"].as_u64().is_some_and(|s| s > 0), "{right:#}");
    assert!(stored_invite(&app, "paaroerende@demo.dk").await.accepted_at.is_none(), "the code is not used up");
    let login = app
        .gql(
            None,
            "mutation($e: String!, $p: String!) { login(email: $e, password: $p) { accessToken } }",
            json!({ "e": "paaroerende@demo.dk", "p": plejelink::demo::DEMO_PASSWORD }),
        )
        .await;
    assert_eq!(error_code(&login), Some("RATE_LIMITED"), "one budget with login: {login:#}");
}

backends!(
    guessing_the_existing_accounts_password_through_an_invitation_is_throttled,
    only_the_coordinator_of_the_centre_invites_and_the_code_is_stored_hashed,
    an_invitation_is_accepted_exactly_once_even_when_two_race,
    the_relative_sees_their_resident_only_while_consent_lasts,
    codes_expire_after_seven_days_and_unusable_codes_look_alike,
    an_existing_relative_account_is_reused_with_its_own_password,
);
