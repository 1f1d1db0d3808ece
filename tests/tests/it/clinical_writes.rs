//! Only the resident's GP writes resuscitation decisions, medication and medication reviews.

use plejelink_tests::{TestApp, backends, error_code};
use serde_json::{Value, json};

const ADD: &str = "mutation($i: AddMedicationInput!) { addMedication(input: $i) { id name active } }";
const STATE: &str = "query($id: ID!) { resident(id: $id) { activeMedicationCount polypharmacy medicationReviewDue resuscitation { decision } resuscitationHistory { decision } medications { id } } }";

/// A Solhaven resident of Hansen's with fewer than 6 active medications.
async fn patient(app: &TestApp, hansen: &str) -> Value {
    // Residents who are not Hansen's answer NOT_FOUND for the medication count: expected errors.
    let body = app.gql(Some(hansen), "{ careCentres { name residents(first: 100) { edges { node { id clinicalAccess activeMedicationCount } } } } }", json!({})).await;
    body["data"]["careCentres"]
        .as_array()
        .expect("centres")
        .iter()
        .filter(|c| c["name"] == "Plejecenter Solhaven")
        .flat_map(|c| c["residents"]["edges"].as_array().expect("edges").clone())
        .map(|e| e["node"].clone())
        .find(|r| r["clinicalAccess"] == true && r["activeMedicationCount"].as_i64().is_some_and(|n| n < 6))
        .expect("a GP resident with few medications")["id"]
        .clone()
}

fn drug(resident: &Value, name: &str) -> Value {
    json!({ "i": { "residentId": resident, "name": name, "strength": "10 mg", "dosage": "1 dagligt", "startedOn": "2026-01-01" } })
}

async fn polypharmacy_thresholds_and_review_through_the_api(app: TestApp) {
    let hansen = app.login("laege.hansen@demo.dk").await;
    let resident = patient(&app, &hansen).await;
    let count = |data: &Value| data["resident"]["activeMedicationCount"].as_i64().expect("count");
    let mut state = app.data(&hansen, STATE, json!({ "id": resident })).await;
    let mut n = 0;
    while count(&state) < 6 {
        app.data(&hansen, ADD, drug(&resident, &format!("Præparat {n}"))).await;
        n += 1;
        state = app.data(&hansen, STATE, json!({ "id": resident })).await;
        if count(&state) == 5 {
            assert_eq!(state["resident"]["polypharmacy"], "NONE");
        }
    }
    assert_eq!(state["resident"]["polypharmacy"], "SIX_PLUS");
    while count(&state) < 15 {
        app.data(&hansen, ADD, drug(&resident, &format!("Præparat {n}"))).await;
        n += 1;
        state = app.data(&hansen, STATE, json!({ "id": resident })).await;
    }
    assert_eq!(state["resident"]["polypharmacy"], "FIFTEEN_PLUS");
    assert_eq!(state["resident"]["medicationReviewDue"], true, "15 drugs and no recent review");

    // The review stops two and records the counts; no review is due afterwards.
    let ids: Vec<Value> =
        state["resident"]["medications"].as_array().expect("meds").iter().take(2).map(|m| m["id"].clone()).collect();
    const REVIEW: &str = "mutation($i: MedicationReviewInput!) { recordMedicationReview(input: $i) { activeCountBefore activeCountAfter } }";
    let review = app.data(&hansen, REVIEW, json!({ "i": { "residentId": resident, "notes": "Gennemgået med sygeplejerske.", "stopMedicationIds": ids } })).await;
    assert_eq!(review["recordMedicationReview"]["activeCountBefore"], 15);
    assert_eq!(review["recordMedicationReview"]["activeCountAfter"], 13);
    let after = app.data(&hansen, STATE, json!({ "id": resident })).await;
    assert_eq!(count(&after), 13);
    assert_eq!(after["resident"]["polypharmacy"], "SIX_PLUS");
    assert_eq!(after["resident"]["medicationReviewDue"], false);
}

async fn stopping_medication(app: TestApp) {
    let hansen = app.login("laege.hansen@demo.dk").await;
    let resident = patient(&app, &hansen).await;
    let added = app.data(&hansen, ADD, drug(&resident, "Panodil")).await["addMedication"]["id"].clone();
    const STOP: &str =
        "mutation($m: ID!, $d: Date!) { stopMedication(medicationId: $m, stoppedOn: $d) { stoppedOn active } }";
    let early = app.gql(Some(&hansen), STOP, json!({ "m": added, "d": "2025-12-31" })).await;
    assert_eq!(early["errors"][0]["extensions"]["field"], "stoppedOn", "{early:#}");
    let today = app.now.date_naive().to_string();
    let stopped = app.data(&hansen, STOP, json!({ "m": added, "d": today })).await;
    assert_eq!(stopped["stopMedication"]["active"], false, "stopped today is no longer active");
    assert_eq!(error_code(&app.gql(Some(&hansen), STOP, json!({ "m": added, "d": today })).await), Some("CONFLICT"));
}

async fn only_the_gp_writes(app: TestApp) {
    let hansen = app.login("laege.hansen@demo.dk").await;
    let resident = patient(&app, &hansen).await;
    const DECIDE: &str = "mutation($i: ResuscitationDecisionInput!) { recordResuscitationDecision(input: $i) { decision decidedBy { displayName } } }";
    let decision = json!({ "i": { "residentId": resident, "decision": "NO_CPR", "note": "Aftalt med datter." } });
    for (email, code) in [
        ("sygeplejerske.solhaven@demo.dk", "FORBIDDEN"),
        ("koordinator.solhaven@demo.dk", "FORBIDDEN"),
        ("paaroerende@demo.dk", "FORBIDDEN"),
        ("laege.berg@demo.dk", "NOT_FOUND"),
    ] {
        let token = app.login(email).await;
        assert_eq!(error_code(&app.gql(Some(&token), DECIDE, decision.clone()).await), Some(code), "{email}");
        assert_eq!(error_code(&app.gql(Some(&token), ADD, drug(&resident, "X")).await), Some(code), "{email}");
    }
    let before = app.data(&hansen, STATE, json!({ "id": resident })).await["resident"]["resuscitationHistory"]
        .as_array()
        .map(Vec::len);
    let data = app.data(&hansen, DECIDE, decision).await;
    assert_eq!(data["recordResuscitationDecision"]["decidedBy"]["displayName"], "Peter Hansen");
    let state = app.data(&hansen, STATE, json!({ "id": resident })).await;
    assert_eq!(state["resident"]["resuscitation"]["decision"], "NO_CPR");
    assert_eq!(
        state["resident"]["resuscitationHistory"].as_array().map(Vec::len),
        before.map(|n| n + 1),
        "history kept"
    );
}

backends!(polypharmacy_thresholds_and_review_through_the_api, stopping_medication, only_the_gp_writes);
