//! Collaboration agreements: AGREED only when both the coordinator and the doctor accepted.

use plejelink_tests::{TestApp, backends, error_code};
use serde_json::json;

const PROPOSE: &str = "mutation($i: AgreementInput!) { proposeAgreement(input: $i) { id status revision coordinatorAcceptedAt doctorAcceptedAt agendaDeadlineHours } }";
const ACCEPT: &str = "mutation($a: ID!) { acceptAgreement(agreementId: $a) { id status agreedAt } }";

async fn both_sides_accept_and_the_old_one_is_superseded(app: TestApp) {
    let coordinator = app.login("koordinator.solhaven@demo.dk").await;
    let centres = app
        .data(&coordinator, "{ careCentres { id doctors { id } agreement { id agendaDeadlineHours } } }", json!({}))
        .await;
    let centre = centres["careCentres"][0]["id"].clone();
    let doctor = centres["careCentres"][0]["doctors"][0]["id"].clone();
    let old = centres["careCentres"][0]["agreement"]["id"].clone();
    let input = json!({ "careCentreId": centre, "doctorId": doctor, "agendaDeadlineHours": 72,
        "fastResponseWindows": [{ "weekday": 2, "from": "08:00", "to": "08:30", "channel": "PHONE" }] });
    let bad = json!({ "careCentreId": centre, "doctorId": doctor, "urgentAnswerHours": 0 });
    assert_eq!(
        app.gql(Some(&coordinator), PROPOSE, json!({ "i": bad })).await["errors"][0]["extensions"]["field"],
        "urgentAnswerHours"
    );
    let proposed = app.data(&coordinator, PROPOSE, json!({ "i": input })).await["proposeAgreement"].clone();
    assert_eq!(proposed["status"], "PROPOSED");
    assert!(proposed["coordinatorAcceptedAt"].is_string() && proposed["doctorAcceptedAt"].is_null());
    // The proposing side accepting again does not make it AGREED.
    let again = app.data(&coordinator, ACCEPT, json!({ "a": proposed["id"] })).await;
    assert_eq!(again["acceptAgreement"]["status"], "PROPOSED");
    let berg = app.login("laege.berg@demo.dk").await;
    assert_eq!(error_code(&app.gql(Some(&berg), ACCEPT, json!({ "a": proposed["id"] })).await), Some("NOT_FOUND"));
    let nurse = app.login("sygeplejerske.solhaven@demo.dk").await;
    assert_eq!(error_code(&app.gql(Some(&nurse), ACCEPT, json!({ "a": proposed["id"] })).await), Some("FORBIDDEN"));
    let hansen = app.login("laege.hansen@demo.dk").await;
    let agreed = app.data(&hansen, ACCEPT, json!({ "a": proposed["id"] })).await;
    assert_eq!(agreed["acceptAgreement"]["status"], "AGREED");
    let now = app
        .data(&coordinator, "{ careCentres { agreement { id agendaDeadlineHours } agreements { id } } }", json!({}))
        .await;
    assert_eq!(now["careCentres"][0]["agreement"]["id"], proposed["id"]);
    assert_eq!(now["careCentres"][0]["agreement"]["agendaDeadlineHours"], 72);
    assert!(!now.to_string().contains(old.as_str().expect("id")), "the old agreement is no longer in force");
}

backends!(both_sides_accept_and_the_old_one_is_superseded);
