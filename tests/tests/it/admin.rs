//! ADMIN user management (DESIGN §4): only ADMIN runs it; emails are unique regardless of case;
//! ending a membership or an attachment, or deactivating an account, ends access at once.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{Duration, SubsecRound, Utc};
use entities::{care_centre, doctor, doctor_attachment, refresh_token, staff_membership, user};
use plejelink_tests::{TestApp, backends, error_code};
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder};
use serde_json::{Value, json};
use uuid::Uuid;

const CREATE_CENTRE: &str = "mutation($i: CreateCareCentreInput!) { createCareCentre(input: $i) { id name } }";
const CREATE_USER: &str = "mutation($i: CreateUserInput!) { createUser(input: $i) { user { id role displayName } doctor { id displayName practiceName authorisationId phone } } }";
const ADD: &str = "mutation($u: ID!, $c: ID!) { addStaffMembership(userId: $u, careCentreId: $c) }";
const END: &str = "mutation($u: ID!, $c: ID!) { endStaffMembership(userId: $u, careCentreId: $c) }";
const ATTACH: &str = "mutation($d: ID!, $c: ID!) { attachDoctor(doctorId: $d, careCentreId: $c) }";
const DETACH: &str = "mutation($d: ID!, $c: ID!) { detachDoctor(doctorId: $d, careCentreId: $c) }";
const DEACTIVATE: &str = "mutation($u: ID!) { deactivateUser(userId: $u) { id } }";
const LOGIN: &str =
    "mutation($e: String!, $p: String!) { login(email: $e, password: $p) { accessToken refreshToken } }";
const REFRESH: &str = "mutation($t: String!) { refreshSession(refreshToken: $t) { accessToken } }";
const ME: &str = "{ me { user { id } doctor { id } careCentres { name } } }";
const SEES: &str = "query($r: ID!) { resident(id: $r) { id } }";
const ROSTER: &str = "query($c: ID!) { residents(careCentreId: $c, first: 1) { edges { node { id } } } }";
const PASSWORD: &str = "et langt kodeord 2";

fn field(body: &Value) -> &str {
    body["errors"][0]["extensions"]["field"].as_str().unwrap_or_else(|| panic!("no field: {body:#}"))
}

fn uuid_of(id: &Value) -> Uuid {
    let text = String::from_utf8(URL_SAFE_NO_PAD.decode(id.as_str().expect("id")).expect("base64url")).expect("utf-8");
    text.split_once(':').expect("Kind:uuid").1.parse().expect("uuid")
}

fn centre_input(name: &str, minutes: i64) -> Value {
    json!({ "i": { "name": name, "municipality": "Silkeborg", "address": "Skovvej 1, 8600 Silkeborg",
        "phone": "86000000", "hotlinePhone": "86000001", "weeklyAdvisoryMinutes": minutes } })
}

fn user_input(email: &str, role: &str, password: &str) -> Value {
    json!({ "email": email, "displayName": "Nina Nielsen", "role": role, "password": password })
}

fn names(me: &Value) -> Vec<&str> {
    me["me"]["careCentres"].as_array().expect("centres").iter().map(|c| c["name"].as_str().expect("name")).collect()
}

/// Every row of the tables ADMIN writes, to show a refused write stored nothing.
async fn snapshot(app: &TestApp) -> String {
    let users = user::Entity::find().order_by_asc(user::Column::Id).all(&app.db).await.expect("users");
    let centres = care_centre::Entity::find().order_by_asc(care_centre::Column::Id).all(&app.db).await.expect("c");
    let doctors = doctor::Entity::find().order_by_asc(doctor::Column::Id).all(&app.db).await.expect("doctors");
    let memberships =
        staff_membership::Entity::find().order_by_asc(staff_membership::Column::Id).all(&app.db).await.expect("m");
    let attachments =
        doctor_attachment::Entity::find().order_by_asc(doctor_attachment::Column::Id).all(&app.db).await.expect("a");
    format!("{users:?}\n{centres:?}\n{doctors:?}\n{memberships:?}\n{attachments:?}")
}

async fn centre_id(app: &TestApp, token: &str, name: &str) -> Value {
    let data = app.data(token, "{ careCentres { id name } }", json!({})).await;
    data["careCentres"].as_array().expect("centres").iter().find(|c| c["name"] == name).expect("centre")["id"].clone()
}

async fn first_resident(app: &TestApp, token: &str, centre: &Value) -> Value {
    app.data(token, ROSTER, json!({ "c": centre })).await["residents"]["edges"][0]["node"]["id"].clone()
}

async fn only_admin_may_manage_and_a_refusal_stores_nothing(app: TestApp) {
    let admin = app.login("admin@demo.dk").await;
    let solhaven = centre_id(&app, &admin, "Plejecenter Solhaven").await;
    let nurse = app.login("sygeplejerske.solhaven@demo.dk").await;
    let nurse_id = app.data(&nurse, ME, json!({})).await["me"]["user"]["id"].clone();
    let hansen = app.login("laege.hansen@demo.dk").await;
    let doctor_id = app.data(&hansen, ME, json!({})).await["me"]["doctor"]["id"].clone();
    let before = snapshot(&app).await;
    let writes = [
        (CREATE_CENTRE, centre_input("Plejecenter Nyhave", 60)),
        (CREATE_USER, json!({ "i": user_input("ny@demo.dk", "NURSE", PASSWORD) })),
        (ADD, json!({ "u": nurse_id, "c": solhaven })),
        (END, json!({ "u": nurse_id, "c": solhaven })),
        (ATTACH, json!({ "d": doctor_id, "c": solhaven })),
        (DETACH, json!({ "d": doctor_id, "c": solhaven })),
        (DEACTIVATE, json!({ "u": nurse_id })),
    ];
    for login in [
        "sygeplejerske.solhaven@demo.dk",
        "koordinator.solhaven@demo.dk",
        "laege.hansen@demo.dk",
        "paaroerende@demo.dk",
    ] {
        let token = app.login(login).await;
        for (query, variables) in &writes {
            let body = app.gql(Some(&token), query, variables.clone()).await;
            assert_eq!(error_code(&body), Some("FORBIDDEN"), "{login}: {query}: {body:#}");
        }
    }
    assert_eq!(snapshot(&app).await, before, "nothing stored after the refusals");
    assert_eq!(names(&app.data(&nurse, ME, json!({})).await), ["Plejecenter Solhaven"]);
    assert!(names(&app.data(&hansen, ME, json!({})).await).contains(&"Plejecenter Solhaven"));
}

async fn admin_creates_centres_and_accounts_with_unique_emails(app: TestApp) {
    // The domain clock a day ahead of the token clock: new accounts must still be able to log in.
    app.clock.set(app.now + Duration::days(1));
    let admin = app.login("admin@demo.dk").await;
    let before = snapshot(&app).await;
    assert_eq!(field(&app.gql(Some(&admin), CREATE_CENTRE, centre_input("Nyhave", -5)).await), "weeklyAdvisoryMinutes");
    assert_eq!(field(&app.gql(Some(&admin), CREATE_CENTRE, centre_input(" ", 60)).await), "name");
    let mut foreign = user_input("ny.sygeplejerske@demo.dk", "NURSE", PASSWORD);
    foreign["locale"] = json!("de");
    let refused = [
        (user_input("ny.sygeplejerske@demo.dk", "NURSE", "elleve tegn"), "password"),
        (user_input("ny.sygeplejerske@demo.dk", "RELATIVE", PASSWORD), "role"),
        (user_input("ikke-en-adresse", "NURSE", PASSWORD), "email"),
        (
            json!({ "email": "ny.sygeplejerske@demo.dk", "displayName": " ", "role": "NURSE", "password": PASSWORD }),
            "displayName",
        ),
        (foreign, "locale"),
    ];
    for (input, expected) in refused {
        let body = app.gql(Some(&admin), CREATE_USER, json!({ "i": input })).await;
        assert_eq!(field(&body), expected, "{body:#}");
    }
    assert_eq!(snapshot(&app).await, before, "nothing stored after the refusals");

    let centre =
        app.data(&admin, CREATE_CENTRE, centre_input(" Plejecenter Nyhave ", 90)).await["createCareCentre"].clone();
    assert_eq!(centre["name"], "Plejecenter Nyhave");

    // Two creations of the same email (different case) at once: one account, one CONFLICT.
    let (a, b) = tokio::join!(
        app.gql(Some(&admin), CREATE_USER, json!({ "i": user_input("Ny.Sygeplejerske@Demo.dk", "NURSE", PASSWORD) })),
        app.gql(Some(&admin), CREATE_USER, json!({ "i": user_input("ny.sygeplejerske@demo.dk", "NURSE", PASSWORD) })),
    );
    let created: Vec<&Value> = [&a, &b].into_iter().filter(|r| r.get("errors").is_none()).collect();
    assert_eq!(created.len(), 1, "{a:#} {b:#}");
    let lost = if a.get("errors").is_none() { &b } else { &a };
    assert_eq!(error_code(lost), Some("CONFLICT"), "{lost:#}");
    let again = app
        .gql(Some(&admin), CREATE_USER, json!({ "i": user_input("NY.SYGEPLEJERSKE@DEMO.DK", "COORDINATOR", PASSWORD) }))
        .await;
    assert_eq!(error_code(&again), Some("CONFLICT"), "emails are unique regardless of case: {again:#}");
    assert!(again["errors"][0]["extensions"].get("field").is_none(), "CONFLICT names no field");
    let stored: Vec<user::Model> = user::Entity::find()
        .all(&app.db)
        .await
        .expect("users")
        .into_iter()
        .filter(|u| u.email.to_lowercase() == "ny.sygeplejerske@demo.dk")
        .collect();
    assert_eq!(stored.len(), 1);
    assert_eq!(stored[0].email, "ny.sygeplejerske@demo.dk", "stored lower-case");
    assert_eq!(stored[0].locale, "da");
    assert!(stored[0].password_hash.starts_with("$argon2id$"));
    let user = &created[0]["data"]["createUser"];
    assert_eq!(user["user"]["role"], "NURSE");
    assert_eq!(user["doctor"], Value::Null);

    // Staff it: the nurse sees the new centre from the next request on.
    let nurse = app.login_with("Ny.Sygeplejerske@demo.dk", PASSWORD).await;
    assert!(names(&app.data(&nurse, ME, json!({})).await).is_empty());
    let membership = json!({ "u": user["user"]["id"], "c": centre["id"] });
    assert_eq!(app.data(&admin, ADD, membership.clone()).await["addStaffMembership"], true);
    assert_eq!(app.data(&admin, ADD, membership.clone()).await["addStaffMembership"], true, "idempotent");
    assert_eq!(names(&app.data(&nurse, ME, json!({})).await), ["Plejecenter Nyhave"]);
    let rows = staff_membership::Entity::find()
        .filter(staff_membership::Column::UserId.eq(uuid_of(&user["user"]["id"])))
        .count(&app.db)
        .await
        .expect("count");
    assert_eq!(rows, 1);

    // Only nurses and coordinators are members.
    let hansen = app.login("laege.hansen@demo.dk").await;
    let hansen_user = app.data(&hansen, ME, json!({})).await["me"]["user"]["id"].clone();
    let body = app.gql(Some(&admin), ADD, json!({ "u": hansen_user, "c": centre["id"] })).await;
    assert_eq!(field(&body), "userId", "{body:#}");
    let memberships = staff_membership::Entity::find()
        .filter(staff_membership::Column::UserId.eq(uuid_of(&hansen_user)))
        .count(&app.db)
        .await
        .expect("count");
    assert_eq!(memberships, 0);
}

async fn ending_a_membership_ends_access_at_once(app: TestApp) {
    let admin = app.login("admin@demo.dk").await;
    let solhaven = centre_id(&app, &admin, "Plejecenter Solhaven").await;
    let nurse = app.login("sygeplejerske.solhaven@demo.dk").await;
    let nurse_id = app.data(&nurse, ME, json!({})).await["me"]["user"]["id"].clone();
    let resident = first_resident(&app, &nurse, &solhaven).await;
    app.data(&nurse, SEES, json!({ "r": resident })).await;

    let membership = json!({ "u": nurse_id, "c": solhaven });
    assert_eq!(app.data(&admin, END, membership.clone()).await["endStaffMembership"], true);
    assert!(names(&app.data(&nurse, ME, json!({})).await).is_empty(), "the very next request");
    assert_eq!(error_code(&app.gql(Some(&nurse), SEES, json!({ "r": resident })).await), Some("NOT_FOUND"));
    assert_eq!(error_code(&app.gql(Some(&nurse), ROSTER, json!({ "c": solhaven })).await), Some("NOT_FOUND"));
    assert_eq!(error_code(&app.gql(Some(&admin), END, membership.clone()).await), Some("NOT_FOUND"), "ended already");
    let row = staff_membership::Entity::find()
        .filter(staff_membership::Column::UserId.eq(uuid_of(&nurse_id)))
        .one(&app.db)
        .await
        .expect("q")
        .expect("membership");
    assert_eq!(row.ended_at, Some(app.now));
    assert_eq!(row.updated_at, app.now);

    // Adding it again resumes the membership.
    app.data(&admin, ADD, membership).await;
    app.data(&nurse, SEES, json!({ "r": resident })).await;
}

async fn doctors_are_created_attached_and_detached(app: TestApp) {
    let admin = app.login("admin@demo.dk").await;
    let solhaven = centre_id(&app, &admin, "Plejecenter Solhaven").await;
    let before = snapshot(&app).await;
    let profile = json!({ "authorisationId": "A1234", "practiceName": "Lægehuset Ny", "phone": "12345678" });
    let mut without = user_input("laege.ny@demo.dk", "DOCTOR", PASSWORD);
    assert_eq!(field(&app.gql(Some(&admin), CREATE_USER, json!({ "i": without })).await), "doctor");
    let mut nurse_with = user_input("laege.ny@demo.dk", "NURSE", PASSWORD);
    nurse_with["doctor"] = profile.clone();
    assert_eq!(field(&app.gql(Some(&admin), CREATE_USER, json!({ "i": nurse_with })).await), "doctor");
    without["doctor"] = json!({ "authorisationId": "A1234", "practiceName": " ", "phone": "12345678" });
    assert_eq!(field(&app.gql(Some(&admin), CREATE_USER, json!({ "i": without })).await), "doctor.practiceName");
    assert_eq!(snapshot(&app).await, before, "nothing stored after the refusals");

    let mut input = user_input("Laege.Ny@demo.dk", "DOCTOR", PASSWORD);
    input["doctor"] = profile;
    let created = app.data(&admin, CREATE_USER, json!({ "i": input })).await["createUser"].clone();
    assert_eq!(created["user"]["role"], "DOCTOR");
    assert_eq!(created["doctor"]["practiceName"], "Lægehuset Ny");
    assert_eq!(created["doctor"]["authorisationId"], "A1234");
    assert_eq!(created["doctor"]["displayName"], "Nina Nielsen");
    let doctor_id = created["doctor"]["id"].clone();

    let doctor = app.login_with("laege.ny@demo.dk", PASSWORD).await;
    let me = app.data(&doctor, ME, json!({})).await;
    assert_eq!(me["me"]["doctor"]["id"], doctor_id);
    assert!(names(&me).is_empty(), "not attached anywhere yet");

    let attachment = json!({ "d": doctor_id, "c": solhaven });
    assert_eq!(app.data(&admin, ATTACH, attachment.clone()).await["attachDoctor"], true);
    assert_eq!(names(&app.data(&doctor, ME, json!({})).await), ["Plejecenter Solhaven"]);
    let resident = first_resident(&app, &doctor, &solhaven).await;
    app.data(&doctor, SEES, json!({ "r": resident })).await;

    assert_eq!(app.data(&admin, DETACH, attachment.clone()).await["detachDoctor"], true);
    assert!(names(&app.data(&doctor, ME, json!({})).await).is_empty(), "the very next request");
    assert_eq!(error_code(&app.gql(Some(&doctor), SEES, json!({ "r": resident })).await), Some("NOT_FOUND"));
    assert_eq!(error_code(&app.gql(Some(&doctor), ROSTER, json!({ "c": solhaven })).await), Some("NOT_FOUND"));
    assert_eq!(error_code(&app.gql(Some(&admin), DETACH, attachment).await), Some("NOT_FOUND"), "detached already");
    let row = doctor_attachment::Entity::find()
        .filter(doctor_attachment::Column::DoctorId.eq(uuid_of(&doctor_id)))
        .one(&app.db)
        .await
        .expect("q")
        .expect("attachment");
    assert_eq!(row.ended_at, Some(app.now));

    // An attached GP with a queue: detaching ends their Solhaven questions and residents at once.
    let hansen = app.login("laege.hansen@demo.dk").await;
    let hansen_id = app.data(&hansen, ME, json!({})).await["me"]["doctor"]["id"].clone();
    const QUEUE: &str = "{ doctorQueue(first: 100) { edges { node { careCentre { name } } } } }";
    let queue = app.data(&hansen, QUEUE, json!({})).await.to_string();
    assert!(queue.contains("Solhaven"), "the demo has Solhaven questions for Hansen: {queue}");
    app.data(&admin, DETACH, json!({ "d": hansen_id, "c": solhaven })).await;
    let queue = app.data(&hansen, QUEUE, json!({})).await.to_string();
    assert!(!queue.contains("Solhaven"), "{queue}");
    assert_eq!(names(&app.data(&hansen, ME, json!({})).await), ["Plejecenter Lindegården"]);
    assert_eq!(error_code(&app.gql(Some(&hansen), SEES, json!({ "r": resident })).await), Some("NOT_FOUND"));
}

async fn deactivation_ends_every_session_at_once(app: TestApp) {
    let admin = app.login("admin@demo.dk").await;
    let login = json!({ "e": "sygeplejerske.solhaven@demo.dk", "p": plejelink::demo::DEMO_PASSWORD });
    let mut sessions = Vec::new();
    for _ in 0..2 {
        let body = app.gql(None, LOGIN, login.clone()).await;
        let access = body["data"]["login"]["accessToken"].as_str().expect("access").to_owned();
        let refresh = body["data"]["login"]["refreshToken"].as_str().expect("refresh").to_owned();
        sessions.push((access, refresh));
    }
    let nurse_id = app.data(&sessions[0].0, ME, json!({})).await["me"]["user"]["id"].clone();
    let account = user::Entity::find_by_id(uuid_of(&nurse_id)).one(&app.db).await.expect("q").expect("user");

    let cut = Utc::now().trunc_subsecs(6);
    let body = app.data(&admin, DEACTIVATE, json!({ "u": nurse_id })).await;
    assert_eq!(body["deactivateUser"]["id"], nurse_id);
    for (access, refresh) in &sessions {
        let me = app.gql(Some(access), ME, json!({})).await;
        assert_eq!(error_code(&me), Some("UNAUTHENTICATED"), "the next request: {me:#}");
        let refreshed = app.gql(None, REFRESH, json!({ "t": refresh })).await;
        assert_eq!(error_code(&refreshed), Some("UNAUTHENTICATED"), "{refreshed:#}");
    }
    assert_eq!(error_code(&app.gql(None, LOGIN, login).await), Some("UNAUTHENTICATED"), "no new sessions");

    let stored = user::Entity::find_by_id(account.id).one(&app.db).await.expect("q").expect("user");
    assert!(!stored.active);
    assert_eq!(stored.version, account.version + 1, "version bumped");
    assert!(stored.tokens_valid_after >= cut && stored.tokens_valid_after <= Utc::now(), "the real clock");
    let live = refresh_token::Entity::find()
        .filter(refresh_token::Column::UserId.eq(account.id))
        .filter(refresh_token::Column::RevokedAt.is_null())
        .count(&app.db)
        .await
        .expect("count");
    assert_eq!(live, 0, "every refresh token revoked");

    let admin_id = app.data(&admin, ME, json!({})).await["me"]["user"]["id"].clone();
    assert_eq!(field(&app.gql(Some(&admin), DEACTIVATE, json!({ "u": admin_id })).await), "userId");
    let unknown = URL_SAFE_NO_PAD.encode(format!("User:{}", Uuid::now_v7()));
    assert_eq!(error_code(&app.gql(Some(&admin), DEACTIVATE, json!({ "u": unknown })).await), Some("NOT_FOUND"));
    app.data(&admin, ME, json!({})).await;
}

backends!(
    only_admin_may_manage_and_a_refusal_stores_nothing,
    admin_creates_centres_and_accounts_with_unique_emails,
    ending_a_membership_ends_access_at_once,
    doctors_are_created_attached_and_detached,
    deactivation_ends_every_session_at_once,
);
