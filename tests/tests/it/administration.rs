//! ADMIN: accounts, memberships and attachments; access ends at once.

use plejelink_tests::{TestApp, backends, error_code};
use serde_json::json;

const CREATE_USER: &str = "mutation($i: CreateUserInput!) { createUser(input: $i) { id role displayName } }";

async fn admin_creates_accounts_and_ends_access(app: TestApp) {
    let admin = app.login("admin@demo.dk").await;
    let nurse = app.login("sygeplejerske.solhaven@demo.dk").await;
    let input = json!({ "email": "Ny.Sygeplejerske@demo.dk", "displayName": "Nina Nielsen", "role": "NURSE", "password": "et langt kodeord 2" });
    assert_eq!(error_code(&app.gql(Some(&nurse), CREATE_USER, json!({ "i": input })).await), Some("FORBIDDEN"));
    let created = app.data(&admin, CREATE_USER, json!({ "i": input })).await["createUser"].clone();
    let mut same = input.clone();
    same["email"] = json!("ny.sygeplejerske@DEMO.dk");
    assert_eq!(
        error_code(&app.gql(Some(&admin), CREATE_USER, json!({ "i": same })).await),
        Some("CONFLICT"),
        "emails are case-insensitive"
    );
    let centres = app.data(&admin, "{ careCentres { id name doctors { id displayName } } }", json!({})).await;
    let solhaven = centres["careCentres"]
        .as_array()
        .expect("c")
        .iter()
        .find(|c| c["name"] == "Plejecenter Solhaven")
        .expect("s")
        .clone();
    const ADD: &str = "mutation($u: ID!, $c: ID!) { addStaffMembership(userId: $u, careCentreId: $c) }";
    app.data(&admin, ADD, json!({ "u": created["id"], "c": solhaven["id"] })).await;
    let new_nurse = app.login_with("ny.sygeplejerske@demo.dk", "et langt kodeord 2").await;
    let mine = app.data(&new_nurse, "{ careCentres { name } }", json!({})).await;
    assert_eq!(mine["careCentres"][0]["name"], "Plejecenter Solhaven");

    // Detaching the doctor ends their access to the centre on the next request.
    let hansen = app.login("laege.hansen@demo.dk").await;
    let doctor = solhaven["doctors"][0]["id"].clone();
    app.data(
        &admin,
        "mutation($d: ID!, $c: ID!) { detachDoctor(doctorId: $d, careCentreId: $c) }",
        json!({ "d": doctor, "c": solhaven["id"] }),
    )
    .await;
    let theirs = app.data(&hansen, "{ careCentres { name } }", json!({})).await;
    assert!(!theirs.to_string().contains("Solhaven"), "{theirs:#}");

    // Deactivation ends every session at once.
    let refresh = app
        .gql(None, "mutation { login(email: \"ny.sygeplejerske@demo.dk\", password: \"et langt kodeord 2\") { refreshToken } }", json!({}))
        .await["data"]["login"]["refreshToken"]
        .clone();
    app.data(&admin, "mutation($u: ID!) { deactivateUser(userId: $u) { id } }", json!({ "u": created["id"] })).await;
    assert_eq!(error_code(&app.gql(Some(&new_nurse), "{ me { email } }", json!({})).await), Some("UNAUTHENTICATED"));
    let again = app
        .gql(
            None,
            "mutation($t: String!) { refreshSession(refreshToken: $t) { accessToken } }",
            json!({ "t": refresh }),
        )
        .await;
    assert_eq!(error_code(&again), Some("UNAUTHENTICATED"));
}

async fn doctors_need_a_profile(app: TestApp) {
    let admin = app.login("admin@demo.dk").await;
    let input = json!({ "email": "laege.ny@demo.dk", "displayName": "Jens Ny", "role": "DOCTOR", "password": "et langt kodeord 3" });
    assert_eq!(
        app.gql(Some(&admin), CREATE_USER, json!({ "i": input })).await["errors"][0]["extensions"]["field"],
        "doctor"
    );
    let mut with = input.clone();
    with["doctor"] = json!({ "authorisationId": "A1234", "practiceName": "Lægehuset", "phone": "12345678" });
    app.data(&admin, CREATE_USER, json!({ "i": with })).await;
    let doctor = app.login_with("laege.ny@demo.dk", "et langt kodeord 3").await;
    let me = app.data(&doctor, "{ me { doctor { practiceName } careCentres { name } } }", json!({})).await;
    assert_eq!(me["me"]["doctor"]["practiceName"], "Lægehuset");
    assert_eq!(me["me"]["careCentres"], json!([]), "not attached anywhere yet");
}

backends!(admin_creates_accounts_and_ends_access, doctors_need_a_profile);
