//! Admitting, updating, discharging residents and choosing their GP.

use entities::resident;
use plejelink_tests::{TestApp, backends, error_code};
use sea_orm::{EntityTrait, PaginatorTrait};
use serde_json::{Value, json};

const ADMIT: &str = "mutation($i: AdmitResidentInput!) { admitResident(input: $i) { id fullName room status version spo2Scale generalPractitioner { doctor { displayName } externalName } } }";
const UPDATE: &str =
    "mutation($i: UpdateResidentInput!) { updateResident(input: $i) { id fullName room version spo2Scale } }";
const COORD_S: &str = "koordinator.solhaven@demo.dk";

async fn solhaven(app: &TestApp, token: &str) -> (Value, Value) {
    let data = app.data(token, "{ careCentres { id doctors { id displayName } } }", json!({})).await;
    (data["careCentres"][0]["id"].clone(), data["careCentres"][0]["doctors"][0]["id"].clone())
}

fn admission(centre: &Value) -> Value {
    json!({ "careCentreId": centre, "fullName": "Oda Lund", "dateOfBirth": "1931-04-02", "room": "D-01", "movedInOn": "2026-11-20" })
}

async fn the_coordinator_admits_and_updates_with_versions(app: TestApp) {
    let coordinator = app.login(COORD_S).await;
    let (centre, doctor) = solhaven(&app, &coordinator).await;
    let mut input = admission(&centre);
    input["gpDoctorId"] = doctor.clone();
    let admitted = app.data(&coordinator, ADMIT, json!({ "i": input })).await["admitResident"].clone();
    assert_eq!(admitted["status"], "ACTIVE");
    assert_eq!(admitted["spo2Scale"], "SCALE_1");
    assert_eq!(admitted["generalPractitioner"]["doctor"]["displayName"], "Peter Hansen");
    let found = app
        .data(
            &coordinator,
            "query($c: ID!) { residents(careCentreId: $c, search: \"d-01\") { totalCount } }",
            json!({ "c": centre }),
        )
        .await;
    assert_eq!(found["residents"]["totalCount"], 1, "searchable by room at once");

    let update = json!({ "id": admitted["id"], "expectedVersion": 1, "room": "D-02" });
    let updated = app.data(&coordinator, UPDATE, json!({ "i": update })).await["updateResident"].clone();
    assert_eq!((updated["room"].clone(), updated["version"].clone()), (json!("D-02"), json!(2)));
    let stale = app.gql(Some(&coordinator), UPDATE, json!({ "i": update })).await;
    assert_eq!(error_code(&stale), Some("CONFLICT"), "version 1 is stale now");

    // The SpO2 scale is the GP's to set.
    let scale = json!({ "id": admitted["id"], "expectedVersion": 2, "spo2Scale": "SCALE_2" });
    assert_eq!(error_code(&app.gql(Some(&coordinator), UPDATE, json!({ "i": scale })).await), Some("FORBIDDEN"));
    let hansen = app.login("laege.hansen@demo.dk").await;
    let set = app.data(&hansen, UPDATE, json!({ "i": scale })).await;
    assert_eq!(set["updateResident"]["spo2Scale"], "SCALE_2");
}

async fn admission_rules_and_roles(app: TestApp) {
    let coordinator = app.login(COORD_S).await;
    let (centre, _) = solhaven(&app, &coordinator).await;
    let before = resident::Entity::find().count(&app.db).await.expect("count");
    for (change, field) in [
        (json!({ "fullName": " " }), "fullName"),
        (json!({ "dateOfBirth": "2099-01-01" }), "dateOfBirth"),
        (json!({ "intakeStage": 9 }), "intakeStage"),
    ] {
        let mut input = admission(&centre);
        for (k, v) in change.as_object().expect("object") {
            input[k] = v.clone();
        }
        let body = app.gql(Some(&coordinator), ADMIT, json!({ "i": input })).await;
        assert_eq!(body["errors"][0]["extensions"]["field"], field, "{body:#}");
    }
    // Berg is not attached to Solhaven.
    let berg = app
        .data(&app.login("admin@demo.dk").await, "{ careCentres { name doctors { id displayName } } }", json!({}))
        .await;
    let berg_id = berg["careCentres"]
        .as_array()
        .expect("centres")
        .iter()
        .flat_map(|c| c["doctors"].as_array().expect("doctors").clone())
        .find(|d| d["displayName"] == "Lise Berg")
        .expect("Berg")["id"]
        .clone();
    let mut input = admission(&centre);
    input["gpDoctorId"] = berg_id;
    assert_eq!(
        app.gql(Some(&coordinator), ADMIT, json!({ "i": input })).await["errors"][0]["extensions"]["field"],
        "gpDoctorId"
    );
    for (email, code) in [
        ("sygeplejerske.solhaven@demo.dk", "FORBIDDEN"),
        ("laege.hansen@demo.dk", "FORBIDDEN"),
        ("koordinator.lindegaarden@demo.dk", "NOT_FOUND"),
    ] {
        let token = app.login(email).await;
        assert_eq!(
            error_code(&app.gql(Some(&token), ADMIT, json!({ "i": admission(&centre) })).await),
            Some(code),
            "{email}"
        );
    }
    assert_eq!(resident::Entity::find().count(&app.db).await.expect("count"), before, "nothing stored");
}

async fn discharge_and_general_practitioner(app: TestApp) {
    let coordinator = app.login(COORD_S).await;
    let (centre, doctor) = solhaven(&app, &coordinator).await;
    let admitted =
        app.data(&coordinator, ADMIT, json!({ "i": admission(&centre) })).await["admitResident"]["id"].clone();
    const GP: &str = "mutation($i: SetGeneralPractitionerInput!) { setGeneralPractitioner(input: $i) { generalPractitioner { doctor { displayName } externalName externalClinic } } }";
    let both = json!({ "residentId": admitted, "doctorId": doctor, "externalName": "Læge Holm" });
    assert_eq!(
        app.gql(Some(&coordinator), GP, json!({ "i": both })).await["errors"][0]["extensions"]["field"],
        "doctorId"
    );
    let external = json!({ "residentId": admitted, "externalName": "Læge Holm", "externalClinic": "Lægerne i Byen" });
    let data = app.data(&coordinator, GP, json!({ "i": external })).await;
    assert_eq!(data["setGeneralPractitioner"]["generalPractitioner"]["externalName"], "Læge Holm");
    let attached = json!({ "residentId": admitted, "doctorId": doctor });
    let data = app.data(&coordinator, GP, json!({ "i": attached })).await;
    assert_eq!(data["setGeneralPractitioner"]["generalPractitioner"]["doctor"]["displayName"], "Peter Hansen");
    assert!(data["setGeneralPractitioner"]["generalPractitioner"]["externalName"].is_null());

    const DISCHARGE: &str =
        "mutation($r: ID!, $s: ResidentStatus!) { dischargeResident(residentId: $r, status: $s) { status } }";
    let body = app.gql(Some(&coordinator), DISCHARGE, json!({ "r": admitted, "s": "ACTIVE" })).await;
    assert_eq!(body["errors"][0]["extensions"]["field"], "status");
    let data = app.data(&coordinator, DISCHARGE, json!({ "r": admitted, "s": "DECEASED" })).await;
    assert_eq!(data["dischargeResident"]["status"], "DECEASED");
    // No new observations for a resident who has died.
    let nurse = app.login("sygeplejerske.solhaven@demo.dk").await;
    let record = "mutation($i: RecordObservationInput!) { recordObservation(input: $i) { observation { id } } }";
    let input = json!({ "i": { "clientMutationId": uuid::Uuid::new_v4().to_string(), "residentId": admitted, "recordedAt": app.now.to_rfc3339(), "pulse": 70 } });
    assert_eq!(app.gql(Some(&nurse), record, input).await["errors"][0]["extensions"]["field"], "residentId");
}

backends!(
    the_coordinator_admits_and_updates_with_versions,
    admission_rules_and_roles,
    discharge_and_general_practitioner
);
