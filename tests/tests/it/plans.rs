//! Care plans: drafts with versions, agreement with supersession, relatives' acknowledgement.

use plejelink_tests::{TestApp, backends, error_code};
use serde_json::{Value, json};

const DRAFT: &str = "mutation($i: SaveCarePlanDraftInput!) { saveCarePlanDraft(input: $i) { id revision status version goals sections { heading text } } }";
const AGREE: &str = "mutation($i: AgreeCarePlanInput!) { agreeCarePlan(input: $i) { id status version agreedWith sharedWithRelatives agreedAt } }";
const PLANS: &str =
    "query($id: ID!) { resident(id: $id) { carePlan { id revision } carePlans { id revision status } } }";

async fn relatives_resident(app: &TestApp) -> Value {
    let relative = app.login("paaroerende@demo.dk").await;
    app.data(&relative, "{ me { residents { id } } }", json!({})).await["me"]["residents"][0]["id"].clone()
}

fn draft(resident: &Value, goals: &str) -> Value {
    json!({ "residentId": resident, "goals": goals, "sections": [{ "heading": "Ernæring", "text": "Mellemmåltider." }] })
}

async fn drafts_are_versioned_and_agreement_supersedes(app: TestApp) {
    let resident = relatives_resident(&app).await;
    let nurse = app.login("sygeplejerske.solhaven@demo.dk").await;
    let created =
        app.data(&nurse, DRAFT, json!({ "i": draft(&resident, "Tryghed") })).await["saveCarePlanDraft"].clone();
    assert_eq!((created["status"].clone(), created["version"].clone()), (json!("DRAFT"), json!(1)));
    let mut edit = draft(&resident, "Tryghed og trivsel");
    edit["carePlanId"] = created["id"].clone();
    edit["expectedVersion"] = json!(1);
    let edited = app.data(&nurse, DRAFT, json!({ "i": edit })).await["saveCarePlanDraft"].clone();
    assert_eq!((edited["version"].clone(), edited["revision"].clone()), (json!(2), created["revision"].clone()));
    assert_eq!(
        error_code(&app.gql(Some(&nurse), DRAFT, json!({ "i": edit })).await),
        Some("CONFLICT"),
        "stale version"
    );

    let agree = json!({ "carePlanId": created["id"], "expectedVersion": 2, "agreedWith": "Beboeren og datteren", "sharedWithRelatives": true });
    assert_eq!(
        error_code(&app.gql(Some(&nurse), AGREE, json!({ "i": agree })).await),
        Some("FORBIDDEN"),
        "the coordinator agrees"
    );
    let coordinator = app.login("koordinator.solhaven@demo.dk").await;
    let before = app.data(&coordinator, PLANS, json!({ "id": resident })).await;
    let previous = before["resident"]["carePlan"]["id"].clone();
    let agreed = app.data(&coordinator, AGREE, json!({ "i": agree })).await["agreeCarePlan"].clone();
    assert_eq!(agreed["status"], "AGREED");
    let after = app.data(&coordinator, PLANS, json!({ "id": resident })).await;
    assert_eq!(after["resident"]["carePlan"]["id"], agreed["id"], "the new version is in force");
    let old = after["resident"]["carePlans"]
        .as_array()
        .expect("plans")
        .iter()
        .find(|p| p["id"] == previous)
        .expect("old")
        .clone();
    assert_eq!(old["status"], "SUPERSEDED");
    let agreed_count =
        after["resident"]["carePlans"].as_array().expect("plans").iter().filter(|p| p["status"] == "AGREED").count();
    assert_eq!(agreed_count, 1, "exactly one agreed version");
    // An agreed plan is not edited; a new draft is the next revision.
    let mut reedit = draft(&resident, "x");
    reedit["carePlanId"] = agreed["id"].clone();
    reedit["expectedVersion"] = agreed["version"].clone();
    assert_eq!(
        app.gql(Some(&nurse), DRAFT, json!({ "i": reedit })).await["errors"][0]["extensions"]["field"],
        "carePlanId"
    );
}

async fn relatives_acknowledge_what_is_shared_with_them(app: TestApp) {
    let resident = relatives_resident(&app).await;
    let relative = app.login("paaroerende@demo.dk").await;
    let current = app
        .data(
            &relative,
            "query($id: ID!) { resident(id: $id) { carePlan { id acknowledgedByMe } } }",
            json!({ "id": resident }),
        )
        .await;
    let plan = current["resident"]["carePlan"]["id"].clone();
    assert_eq!(current["resident"]["carePlan"]["acknowledgedByMe"], false);
    const ACK: &str = "mutation($p: ID!) { acknowledgeCarePlan(carePlanId: $p) { id acknowledgedByMe } }";
    let nurse = app.login("sygeplejerske.solhaven@demo.dk").await;
    assert_eq!(error_code(&app.gql(Some(&nurse), ACK, json!({ "p": plan })).await), Some("FORBIDDEN"));
    let acked = app.data(&relative, ACK, json!({ "p": plan })).await;
    assert_eq!(acked["acknowledgeCarePlan"]["acknowledgedByMe"], true);
    app.data(&relative, ACK, json!({ "p": plan })).await; // twice is harmless
    let staff = app.data(&nurse, "query($id: ID!) { resident(id: $id) { carePlan { acknowledgements { relative { displayName } acknowledgedAt } } } }", json!({ "id": resident })).await;
    let acks = staff["resident"]["carePlan"]["acknowledgements"].as_array().expect("acks").clone();
    assert_eq!(acks.len(), 1);
    assert_eq!(acks[0]["relative"]["displayName"], "Susanne Holm");
    // A draft is not the relative's to acknowledge (it does not exist for them).
    let draft_plan =
        app.data(&nurse, DRAFT, json!({ "i": draft(&resident, "Udkast") })).await["saveCarePlanDraft"]["id"].clone();
    assert_eq!(error_code(&app.gql(Some(&relative), ACK, json!({ "p": draft_plan })).await), Some("NOT_FOUND"));
}

backends!(drafts_are_versioned_and_agreement_supersedes, relatives_acknowledge_what_is_shared_with_them);
