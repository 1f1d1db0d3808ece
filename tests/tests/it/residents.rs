//! The roster and the GP's resuscitation decisions, rule by rule: who may write (FORBIDDEN by
//! role, NOT_FOUND out of scope), versions, and that a refused write stores nothing.

use chrono::Duration;
use entities::{resident, resuscitation_decision};
use plejelink_tests::{TestApp, backends, error_code, uuid_of};
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use serde_json::{Value, json};

const COORD_S: &str = "koordinator.solhaven@demo.dk";
const COORD_L: &str = "koordinator.lindegaarden@demo.dk";
const NURSE_S: &str = "sygeplejerske.solhaven@demo.dk";
const NURSE_L: &str = "sygeplejerske.lindegaarden@demo.dk";
const HANSEN: &str = "laege.hansen@demo.dk";
const BERG: &str = "laege.berg@demo.dk";
const RELATIVE: &str = "paaroerende@demo.dk";
const ADMIN: &str = "admin@demo.dk";

const ADMIT: &str = "mutation($i: AdmitResidentInput!) { admitResident(input: $i) { id fullName room status version spo2Scale intakeStage dateOfBirth movedInOn generalPractitioner { doctor { displayName } externalName externalClinic } } }";
const UPDATE: &str = "mutation($i: UpdateResidentInput!) { updateResident(input: $i) { id fullName room version spo2Scale intakeStage dateOfBirth } }";
const DISCHARGE: &str =
    "mutation($r: ID!, $s: ResidentStatus!) { dischargeResident(residentId: $r, status: $s) { status version } }";
const SET_GP: &str = "mutation($i: SetGeneralPractitionerInput!) { setGeneralPractitioner(input: $i) { version generalPractitioner { doctor { displayName } externalName externalClinic } } }";
const DECIDE: &str = "mutation($i: ResuscitationDecisionInput!) { recordResuscitationDecision(input: $i) { id decision note decidedAt decidedBy { displayName } } }";

/// The demo's two centres and two doctors, as the admin sees them.
struct Demo {
    solhaven: Value,
    lindegaarden: Value,
    hansen: Value,
    berg: Value,
}

async fn demo(app: &TestApp) -> Demo {
    let admin = app.login(ADMIN).await;
    let data = app.data(&admin, "{ careCentres { id name doctors { id displayName } } }", json!({})).await;
    let centres = data["careCentres"].as_array().expect("centres");
    let centre = |name: &str| centres.iter().find(|c| c["name"] == name).expect(name).clone();
    let doctor = |name: &str| {
        centres
            .iter()
            .flat_map(|c| c["doctors"].as_array().expect("doctors").clone())
            .find(|d| d["displayName"] == name)
            .expect(name)["id"]
            .clone()
    };
    Demo {
        solhaven: centre("Plejecenter Solhaven")["id"].clone(),
        lindegaarden: centre("Plejecenter Lindegården")["id"].clone(),
        hansen: doctor("Peter Hansen"),
        berg: doctor("Lise Berg"),
    }
}

fn admission(centre: &Value) -> Value {
    json!({ "careCentreId": centre, "fullName": "Oda Lund", "dateOfBirth": "1931-04-02", "room": "D-01", "movedInOn": "2026-11-20" })
}

/// Admits Oda Lund to Solhaven with Hansen as GP; returns her id.
async fn admit_with_hansen(app: &TestApp, coordinator: &str, demo: &Demo) -> Value {
    let mut input = admission(&demo.solhaven);
    input["gpDoctorId"] = demo.hansen.clone();
    app.data(coordinator, ADMIT, json!({ "i": input })).await["admitResident"]["id"].clone()
}

/// A Lindegården resident whose GP is Berg (Hansen sees the roster there, but is not the GP).
async fn bergs_resident(app: &TestApp, berg: &str, demo: &Demo) -> Value {
    let data = app
        .data(
            berg,
            "query($c: ID!) { residents(careCentreId: $c, myGpResidents: true, first: 1) { edges { node { id } } } }",
            json!({ "c": demo.lindegaarden }),
        )
        .await;
    data["residents"]["edges"][0]["node"]["id"].clone()
}

async fn stored(app: &TestApp, id: &Value) -> resident::Model {
    resident::Entity::find_by_id(uuid_of(id)).one(&app.db).await.expect("query").expect("resident")
}

fn field(body: &Value) -> Option<&str> {
    body["errors"][0]["extensions"]["field"].as_str()
}

async fn admission_defaults_search_and_refusals(app: TestApp) {
    let coordinator = app.login(COORD_S).await;
    let demo = demo(&app).await;
    let before = resident::Entity::find().count(&app.db).await.expect("count");

    // Refused: every one stores nothing.
    let cases = [
        (json!({ "dateOfBirth": "1899-12-31" }), "dateOfBirth"),
        (json!({ "dateOfBirth": (app.now + Duration::days(2)).date_naive().to_string() }), "dateOfBirth"),
        (json!({ "movedInOn": "1930-01-01" }), "movedInOn"),
        (json!({ "room": "" }), "room"),
        (json!({ "intakeStage": 0 }), "intakeStage"),
        (json!({ "externalGpClinic": "Lægerne i Byen" }), "externalGpName"),
        (json!({ "gpDoctorId": demo.hansen, "externalGpName": "Læge Holm" }), "externalGpName"),
        (json!({ "gpDoctorId": demo.berg }), "gpDoctorId"),
    ];
    for (change, expected) in cases {
        let mut input = admission(&demo.solhaven);
        for (k, v) in change.as_object().expect("object") {
            input[k] = v.clone();
        }
        let body = app.gql(Some(&coordinator), ADMIT, json!({ "i": input })).await;
        assert_eq!(error_code(&body), Some("VALIDATION"), "{change}: {body:#}");
        assert_eq!(field(&body), Some(expected), "{change}: {body:#}");
    }
    // SCALE_2 is the GP's decision, never the coordinator's, also at admission.
    let mut scale = admission(&demo.solhaven);
    scale["spo2Scale"] = json!("SCALE_2");
    assert_eq!(error_code(&app.gql(Some(&coordinator), ADMIT, json!({ "i": scale })).await), Some("FORBIDDEN"));
    for (email, code) in [(ADMIN, "FORBIDDEN"), (RELATIVE, "FORBIDDEN"), (BERG, "FORBIDDEN"), (COORD_L, "NOT_FOUND")] {
        let token = app.login(email).await;
        let body = app.gql(Some(&token), ADMIT, json!({ "i": admission(&demo.solhaven) })).await;
        assert_eq!(error_code(&body), Some(code), "{email}");
    }
    assert_eq!(resident::Entity::find().count(&app.db).await.expect("count"), before, "nothing stored");

    // Defaults: ACTIVE, SCALE_1, intake stage 1, version 1, no GP; found by name and by room.
    let mut input = admission(&demo.solhaven);
    input["fullName"] = json!("  Åse Ærø Bøgh ");
    input["externalGpName"] = json!("Læge Holm");
    input["externalGpClinic"] = json!("Lægerne i Byen");
    let admitted = app.data(&coordinator, ADMIT, json!({ "i": input })).await["admitResident"].clone();
    assert_eq!(admitted["fullName"], "Åse Ærø Bøgh", "trimmed");
    assert_eq!(admitted["status"], "ACTIVE");
    assert_eq!(admitted["spo2Scale"], "SCALE_1");
    assert_eq!(admitted["intakeStage"], 1);
    assert_eq!(admitted["version"], 1);
    assert_eq!(admitted["generalPractitioner"]["externalClinic"], "Lægerne i Byen");
    let row = stored(&app, &admitted["id"]).await;
    assert_eq!(row.search_text, "åse ærø bøgh d-01");
    assert_eq!((row.created_at, row.updated_at), (app.now, app.now));
    const SEARCH: &str =
        "query($c: ID!, $s: String) { residents(careCentreId: $c, search: $s) { edges { node { id } } } }";
    for term in ["ÆRØ", "d-01"] {
        let found = app.data(&coordinator, SEARCH, json!({ "c": demo.solhaven, "s": term })).await;
        let ids: Vec<Value> =
            found["residents"]["edges"].as_array().expect("edges").iter().map(|e| e["node"]["id"].clone()).collect();
        assert!(ids.contains(&admitted["id"]), "{term} finds the new resident");
    }
}

async fn update_is_the_coordinators_and_the_scale_the_gps(app: TestApp) {
    let coordinator = app.login(COORD_S).await;
    let hansen = app.login(HANSEN).await;
    let demo = demo(&app).await;
    let oda = admit_with_hansen(&app, &coordinator, &demo).await;
    let room = |version: i64| json!({ "i": { "id": oda, "expectedVersion": version, "room": "E-07" } });
    let scale = |version: i64| json!({ "i": { "id": oda, "expectedVersion": version, "spo2Scale": "SCALE_2" } });

    for (email, code) in [(NURSE_S, "FORBIDDEN"), (RELATIVE, "FORBIDDEN"), (ADMIN, "FORBIDDEN"), (COORD_L, "NOT_FOUND")]
    {
        let token = app.login(email).await;
        assert_eq!(error_code(&app.gql(Some(&token), UPDATE, room(1)).await), Some(code), "{email}");
    }
    // The GP may not change roster fields, nor send an update without fields; Berg does not see Solhaven.
    assert_eq!(error_code(&app.gql(Some(&hansen), UPDATE, room(1)).await), Some("FORBIDDEN"));
    let empty = json!({ "i": { "id": oda, "expectedVersion": 1 } });
    assert_eq!(error_code(&app.gql(Some(&hansen), UPDATE, empty).await), Some("FORBIDDEN"));
    let berg = app.login(BERG).await;
    assert_eq!(error_code(&app.gql(Some(&berg), UPDATE, scale(1)).await), Some("NOT_FOUND"));
    // The coordinator may not set the scale, not even together with roster fields.
    assert_eq!(error_code(&app.gql(Some(&coordinator), UPDATE, scale(1)).await), Some("FORBIDDEN"));
    let both = json!({ "i": { "id": oda, "expectedVersion": 1, "room": "E-07", "spo2Scale": "SCALE_2" } });
    assert_eq!(error_code(&app.gql(Some(&coordinator), UPDATE, both).await), Some("FORBIDDEN"));
    let untouched = stored(&app, &oda).await;
    assert_eq!((untouched.version, untouched.room.as_str()), (1, "D-01"), "refusals change nothing");
    assert_eq!(untouched.spo2_scale, entities::enums::Spo2Scale::Scale1);

    // A doctor who sees the roster but is not the GP: FORBIDDEN.
    let bergs = bergs_resident(&app, &berg, &demo).await;
    let version = stored(&app, &bergs).await.version;
    let other = json!({ "i": { "id": bergs, "expectedVersion": version, "spo2Scale": "SCALE_2" } });
    assert_eq!(error_code(&app.gql(Some(&hansen), UPDATE, other).await), Some("FORBIDDEN"));

    // The coordinator changes the roster, the GP the scale; each bumps version and updated_at.
    let later = app.now + Duration::minutes(5);
    app.clock.set(later);
    let updated = app
        .data(
            &coordinator,
            UPDATE,
            json!({ "i": { "id": oda, "expectedVersion": 1, "fullName": "Oda Marie Lund", "room": "E-07", "intakeStage": 2, "dateOfBirth": "1931-04-03" } }),
        )
        .await["updateResident"]
        .clone();
    assert_eq!(updated["version"], 2);
    assert_eq!((updated["room"].clone(), updated["intakeStage"].clone()), (json!("E-07"), json!(2)));
    let row = stored(&app, &oda).await;
    assert_eq!((row.updated_at, row.search_text.as_str()), (later, "oda marie lund e-07"));
    assert_eq!(error_code(&app.gql(Some(&coordinator), UPDATE, room(1)).await), Some("CONFLICT"), "stale");
    assert_eq!(error_code(&app.gql(Some(&hansen), UPDATE, scale(1)).await), Some("CONFLICT"), "stale");
    let set = app.data(&hansen, UPDATE, scale(2)).await["updateResident"].clone();
    assert_eq!((set["spo2Scale"].clone(), set["version"].clone()), (json!("SCALE_2"), json!(3)));
    // A date of birth after moving in is refused, and nothing changes.
    let born = json!({ "i": { "id": oda, "expectedVersion": 3, "dateOfBirth": "2026-11-21" } });
    assert_eq!(field(&app.gql(Some(&coordinator), UPDATE, born).await), Some("dateOfBirth"));
    assert_eq!(stored(&app, &oda).await.version, 3);
}

async fn discharge_roles_scope_and_status(app: TestApp) {
    let coordinator = app.login(COORD_S).await;
    let demo = demo(&app).await;
    let oda = admit_with_hansen(&app, &coordinator, &demo).await;
    let discharge = |status: &str| json!({ "r": oda, "s": status });
    for (email, code) in
        [(NURSE_S, "FORBIDDEN"), (HANSEN, "FORBIDDEN"), (RELATIVE, "FORBIDDEN"), (COORD_L, "NOT_FOUND")]
    {
        let token = app.login(email).await;
        assert_eq!(error_code(&app.gql(Some(&token), DISCHARGE, discharge("DISCHARGED")).await), Some(code), "{email}");
    }
    for status in ["ACTIVE", "TERMINAL"] {
        let body = app.gql(Some(&coordinator), DISCHARGE, discharge(status)).await;
        assert_eq!((error_code(&body), field(&body)), (Some("VALIDATION"), Some("status")), "{status}");
    }
    let row = stored(&app, &oda).await;
    assert_eq!((row.status, row.version), (entities::enums::ResidentStatus::Active, 1), "nothing changed");

    let later = app.now + Duration::hours(1);
    app.clock.set(later);
    let data = app.data(&coordinator, DISCHARGE, discharge("DISCHARGED")).await;
    assert_eq!(data["dischargeResident"], json!({ "status": "DISCHARGED", "version": 2 }));
    assert_eq!(stored(&app, &oda).await.updated_at, later);
    // Still on the roster, under its status.
    let listed = app
        .data(
            &coordinator,
            "query($c: ID!) { residents(careCentreId: $c, status: [DISCHARGED]) { edges { node { id } } } }",
            json!({ "c": demo.solhaven }),
        )
        .await;
    assert_eq!(listed["residents"]["edges"][0]["node"]["id"], oda);
}

async fn general_practitioner_choice_moves_clinical_access(app: TestApp) {
    let coordinator = app.login(COORD_S).await;
    let hansen = app.login(HANSEN).await;
    let demo = demo(&app).await;
    let oda = admit_with_hansen(&app, &coordinator, &demo).await;
    let external =
        json!({ "i": { "residentId": oda, "externalName": "Læge Holm", "externalClinic": "Lægerne i Byen" } });

    for (input, expected) in [
        (json!({ "residentId": oda }), "doctorId"),
        (json!({ "residentId": oda, "externalClinic": "Lægerne i Byen" }), "doctorId"),
        (json!({ "residentId": oda, "doctorId": demo.hansen, "externalName": "Læge Holm" }), "doctorId"),
        (json!({ "residentId": oda, "doctorId": demo.berg }), "doctorId"),
    ] {
        let body = app.gql(Some(&coordinator), SET_GP, json!({ "i": input })).await;
        assert_eq!((error_code(&body), field(&body)), (Some("VALIDATION"), Some(expected)), "{input}");
    }
    for (email, code) in [(NURSE_S, "FORBIDDEN"), (HANSEN, "FORBIDDEN"), (ADMIN, "FORBIDDEN"), (COORD_L, "NOT_FOUND")] {
        let token = app.login(email).await;
        assert_eq!(error_code(&app.gql(Some(&token), SET_GP, external.clone()).await), Some(code), "{email}");
    }
    let row = stored(&app, &oda).await;
    assert_eq!((row.version, row.gp_doctor_id), (1, Some(uuid_of(&demo.hansen))), "refusals change nothing");

    const ACCESS: &str = "query($id: ID!) { resident(id: $id) { clinicalAccess } }";
    let access = app.data(&hansen, ACCESS, json!({ "id": oda })).await;
    assert_eq!(access["resident"]["clinicalAccess"], true, "Hansen is the GP");
    let data = app.data(&coordinator, SET_GP, external).await["setGeneralPractitioner"].clone();
    assert_eq!(data["version"], 2);
    assert_eq!(data["generalPractitioner"]["externalName"], "Læge Holm");
    assert!(data["generalPractitioner"]["doctor"].is_null());
    // Hansen is no longer the GP: no clinical record, no GP writes.
    let access = app.data(&hansen, ACCESS, json!({ "id": oda })).await;
    assert_eq!(access["resident"]["clinicalAccess"], false);
    let decision = json!({ "i": { "residentId": oda, "decision": "NO_CPR" } });
    assert_eq!(error_code(&app.gql(Some(&hansen), DECIDE, decision).await), Some("FORBIDDEN"));
    // Back to Hansen: the external GP is cleared.
    let back = json!({ "i": { "residentId": oda, "doctorId": demo.hansen } });
    let data = app.data(&coordinator, SET_GP, back).await["setGeneralPractitioner"].clone();
    assert_eq!(data["generalPractitioner"]["doctor"]["displayName"], "Peter Hansen");
    assert!(
        data["generalPractitioner"]["externalName"].is_null()
            && data["generalPractitioner"]["externalClinic"].is_null()
    );
    assert_eq!(data["version"], 3);
}

async fn resuscitation_decisions_by_the_gp_only_with_history(app: TestApp) {
    let demo = demo(&app).await;
    let berg = app.login(BERG).await;
    let resident = bergs_resident(&app, &berg, &demo).await;
    let count = || {
        resuscitation_decision::Entity::find()
            .filter(resuscitation_decision::Column::ResidentId.eq(uuid_of(&resident)))
            .count(&app.db)
    };
    let before = count().await.expect("count");
    let decision =
        |choice: &str| json!({ "i": { "residentId": resident, "decision": choice, "note": "Drøftet med søn." } });
    // Hansen sees Lindegården's roster but is not this resident's GP; Berg's resident is not in Solhaven.
    for (email, code) in [
        (HANSEN, "FORBIDDEN"),
        (NURSE_L, "FORBIDDEN"),
        (COORD_L, "FORBIDDEN"),
        (ADMIN, "FORBIDDEN"),
        (RELATIVE, "FORBIDDEN"),
    ] {
        let token = app.login(email).await;
        assert_eq!(error_code(&app.gql(Some(&token), DECIDE, decision("NO_CPR")).await), Some(code), "{email}");
    }
    assert_eq!(count().await.expect("count"), before, "nothing stored");
    let long = json!({ "i": { "residentId": resident, "decision": "NO_CPR", "note": "x".repeat(2001) } });
    assert_eq!(field(&app.gql(Some(&berg), DECIDE, long).await), Some("note"));

    let first = app.data(&berg, DECIDE, decision("NO_CPR")).await["recordResuscitationDecision"].clone();
    assert_eq!(first["decidedBy"]["displayName"], "Lise Berg");
    app.clock.set(app.now + Duration::days(1));
    let second = app.data(&berg, DECIDE, decision("FULL_TREATMENT")).await["recordResuscitationDecision"].clone();
    assert_ne!(first["id"], second["id"], "a new row, never an update");
    assert_eq!(count().await.expect("count"), before + 2, "history kept");
    let first_row = resuscitation_decision::Entity::find_by_id(uuid_of(&first["id"]))
        .one(&app.db)
        .await
        .expect("query")
        .expect("first decision");
    assert_eq!(first_row.decision, entities::enums::ResuscitationChoice::NoCpr, "earlier decision unchanged");
    let state = app
        .data(
            &berg,
            "query($id: ID!) { resident(id: $id) { resuscitation { id decision } resuscitationHistory { id } } }",
            json!({ "id": resident }),
        )
        .await;
    assert_eq!(state["resident"]["resuscitation"]["decision"], "FULL_TREATMENT", "the newest is in force");
    assert_eq!(state["resident"]["resuscitationHistory"][1]["id"], first["id"]);
    // A nurse of the centre reads it, and may not write it.
    let nurse = app.login(NURSE_L).await;
    let read = app
        .data(&nurse, "query($id: ID!) { resident(id: $id) { resuscitation { decision } } }", json!({ "id": resident }))
        .await;
    assert_eq!(read["resident"]["resuscitation"]["decision"], "FULL_TREATMENT");
}

backends!(
    admission_defaults_search_and_refusals,
    update_is_the_coordinators_and_the_scale_the_gps,
    discharge_roles_scope_and_status,
    general_practitioner_choice_moves_clinical_access,
    resuscitation_decisions_by_the_gp_only_with_history
);
