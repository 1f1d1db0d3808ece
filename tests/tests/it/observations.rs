//! Recording observations: plausibility, NEWS2 on the resident's scale, escalation, idempotency,
//! entered-in-error, who may record, and live alerts.

use entities::observation;
use plejelink_tests::{TestApp, backends, error_code, uuid_of};
use sea_orm::{ActiveEnum, ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder};
use serde_json::{Value, json};

const RECORD: &str = "mutation($i: RecordObservationInput!) { recordObservation(input: $i) { observation { id recordedAt pulse temperature enteredInError } news2 { total riskLevel complete anySingleParameterThree } escalation { level riskLevel monitoringIntervalHours message } } }";
const NURSE_S: &str = "sygeplejerske.solhaven@demo.dk";

/// Solhaven residents as the Solhaven nurse sees them: (id, SpO2 scale, GP name).
async fn residents(app: &TestApp, token: &str) -> Vec<(Value, String, String)> {
    let centres = app.data(token, "{ careCentres { id } }", json!({})).await;
    let data = app
        .data(
            token,
            "query($c: ID!) { residents(careCentreId: $c, first: 100) { edges { node { id spo2Scale generalPractitioner { doctor { displayName } } } } } }",
            json!({ "c": centres["careCentres"][0]["id"] }),
        )
        .await;
    data["residents"]["edges"]
        .as_array()
        .expect("edges")
        .iter()
        .map(|e| {
            let n = &e["node"];
            let gp = n["generalPractitioner"]["doctor"]["displayName"].as_str().unwrap_or("").to_owned();
            (n["id"].clone(), n["spo2Scale"].as_str().expect("scale").to_owned(), gp)
        })
        .collect()
}

fn normal(app: &TestApp, resident: &Value) -> Value {
    json!({
        "clientMutationId": uuid::Uuid::new_v4().to_string(),
        "residentId": resident,
        "recordedAt": app.now.to_rfc3339(),
        "respirationRate": 16, "oxygenSaturation": 97, "onSupplementalOxygen": false,
        "systolicBp": 130, "diastolicBp": 80, "pulse": 72, "consciousness": "ALERT", "temperature": 37.0,
    })
}

fn with(mut input: Value, changes: Value) -> Value {
    for (k, v) in changes.as_object().expect("object") {
        input[k] = v.clone();
    }
    input
}

async fn count(app: &TestApp) -> u64 {
    observation::Entity::find().count(&app.db).await.expect("count")
}

async fn records_with_news2_and_escalation(app: TestApp) {
    let nurse = app.login(NURSE_S).await;
    let list = residents(&app, &nurse).await;
    let (resident, _, _) = list.iter().find(|r| r.1 == "SCALE_1").expect("scale 1 resident").clone();
    let data = app.data(&nurse, RECORD, json!({ "i": normal(&app, &resident) })).await;
    let payload = &data["recordObservation"];
    assert_eq!(
        payload["news2"],
        json!({ "total": 0, "riskLevel": "LOW", "complete": true, "anySingleParameterThree": false })
    );
    assert_eq!(payload["escalation"]["level"], "ROUTINE_MONITORING");
    let latest = app
        .data(&nurse, "query($id: ID!) { resident(id: $id) { latestObservation { id } } }", json!({ "id": resident }))
        .await;
    assert_eq!(latest["resident"]["latestObservation"]["id"], payload["observation"]["id"]);

    let septic = with(
        normal(&app, &resident),
        json!({ "respirationRate": 26, "oxygenSaturation": 91, "systolicBp": 95, "pulse": 125, "temperature": 39.4, "consciousness": "NEW_CONFUSION" }),
    );
    let data = app.data(&nurse, RECORD, json!({ "i": septic })).await;
    assert_eq!(data["recordObservation"]["news2"]["total"], 15);
    assert_eq!(data["recordObservation"]["news2"]["riskLevel"], "HIGH");
    assert_eq!(data["recordObservation"]["escalation"]["level"], "EMERGENCY");

    let single_three = with(normal(&app, &resident), json!({ "pulse": 135 }));
    let data = app.data(&nurse, RECORD, json!({ "i": single_three })).await;
    assert_eq!(data["recordObservation"]["news2"]["riskLevel"], "LOW_MEDIUM");
    assert_eq!(data["recordObservation"]["escalation"]["level"], "INFORM_NURSE_IN_CHARGE");

    let partial = json!({ "clientMutationId": uuid::Uuid::new_v4().to_string(), "residentId": resident, "recordedAt": app.now.to_rfc3339(), "weightKg": 61.5 });
    let data = app.data(&nurse, RECORD, json!({ "i": partial })).await;
    assert_eq!(data["recordObservation"]["news2"]["complete"], false);
}

async fn news2_uses_the_residents_spo2_scale(app: TestApp) {
    let nurse = app.login(NURSE_S).await;
    let list = residents(&app, &nurse).await;
    let scale_1 = list.iter().find(|r| r.1 == "SCALE_1").expect("scale 1").0.clone();
    let scale_2 = list.iter().find(|r| r.1 == "SCALE_2").expect("scale 2").0.clone();
    let on_oxygen = json!({ "oxygenSaturation": 96, "onSupplementalOxygen": true });
    let one = app.data(&nurse, RECORD, json!({ "i": with(normal(&app, &scale_1), on_oxygen.clone()) })).await;
    let two = app.data(&nurse, RECORD, json!({ "i": with(normal(&app, &scale_2), on_oxygen) })).await;
    assert_eq!(one["recordObservation"]["news2"]["total"], 2, "scale 1: 96 % scores 0, oxygen 2");
    assert_eq!(two["recordObservation"]["news2"]["total"], 4, "scale 2: 96 % on oxygen scores 2, oxygen 2");
}

async fn implausible_values_are_refused_and_nothing_is_stored(app: TestApp) {
    let nurse = app.login(NURSE_S).await;
    let resident = residents(&app, &nurse).await[0].0.clone();
    let before = count(&app).await;
    let future = (app.now + chrono::Duration::hours(1)).to_rfc3339();
    for (change, field) in [
        (json!({ "pulse": 720 }), "pulse"),
        (json!({ "temperature": 98.6 }), "temperature"),
        (json!({ "oxygenSaturation": 101 }), "oxygenSaturation"),
        (json!({ "respirationRate": 0 }), "respirationRate"),
        (json!({ "systolicBp": 80, "diastolicBp": 90 }), "diastolicBp"),
        (json!({ "painScore": 11 }), "painScore"),
        (json!({ "recordedAt": future }), "recordedAt"),
        (json!({ "clientMutationId": "not-a-uuid" }), "clientMutationId"),
    ] {
        let body = app.gql(Some(&nurse), RECORD, json!({ "i": with(normal(&app, &resident), change.clone()) })).await;
        assert_eq!(error_code(&body), Some("VALIDATION"), "{change}: {body:#}");
        assert_eq!(body["errors"][0]["extensions"]["field"], field, "{change}");
    }
    let empty = json!({ "clientMutationId": uuid::Uuid::new_v4().to_string(), "residentId": resident, "recordedAt": app.now.to_rfc3339() });
    assert_eq!(error_code(&app.gql(Some(&nurse), RECORD, json!({ "i": empty })).await), Some("VALIDATION"));
    assert_eq!(count(&app).await, before, "nothing stored");
}

async fn replays_return_the_first_result(app: TestApp) {
    let nurse = app.login(NURSE_S).await;
    let resident = residents(&app, &nurse).await[0].0.clone();
    let input = normal(&app, &resident);
    let before = count(&app).await;
    let first = app.data(&nurse, RECORD, json!({ "i": input })).await;
    let replay = app.data(&nurse, RECORD, json!({ "i": input })).await;
    assert_eq!(first["recordObservation"]["observation"]["id"], replay["recordObservation"]["observation"]["id"]);
    assert_eq!(count(&app).await, before + 1, "stored exactly once");
    let changed = with(input, json!({ "pulse": 99 }));
    let body = app.gql(Some(&nurse), RECORD, json!({ "i": changed })).await;
    assert_eq!(error_code(&body), Some("CONFLICT"));
    assert_eq!(count(&app).await, before + 1);
    // Concurrent retries of one write store it once.
    let input = normal(&app, &resident);
    let (a, b) =
        tokio::join!(app.data(&nurse, RECORD, json!({ "i": input })), app.data(&nurse, RECORD, json!({ "i": input })));
    assert_eq!(a["recordObservation"]["observation"]["id"], b["recordObservation"]["observation"]["id"]);
    assert_eq!(count(&app).await, before + 2);
}

async fn only_staff_and_the_gp_may_record(app: TestApp) {
    let nurse = app.login(NURSE_S).await;
    let list = residents(&app, &nurse).await;
    let hansens = list.iter().find(|r| r.2 == "Peter Hansen").expect("Hansen's resident").0.clone();
    for (email, code) in [
        ("paaroerende@demo.dk", Some("FORBIDDEN")),
        ("admin@demo.dk", Some("FORBIDDEN")),
        ("sygeplejerske.lindegaarden@demo.dk", Some("NOT_FOUND")),
        ("laege.berg@demo.dk", Some("NOT_FOUND")),
        ("koordinator.solhaven@demo.dk", None),
        ("laege.hansen@demo.dk", None),
    ] {
        let token = app.login(email).await;
        let body = app.gql(Some(&token), RECORD, json!({ "i": normal(&app, &hansens) })).await;
        assert_eq!(error_code(&body), code, "{email}: {body:#}");
    }
}

async fn entered_in_error_is_kept_but_left_out(app: TestApp) {
    let nurse = app.login(NURSE_S).await;
    let resident = residents(&app, &nurse).await[0].0.clone();
    let data = app.data(&nurse, RECORD, json!({ "i": with(normal(&app, &resident), json!({ "pulse": 140 })) })).await;
    let id = data["recordObservation"]["observation"]["id"].clone();
    const MARK: &str = "mutation($id: ID!, $r: String!) { markObservationEnteredInError(id: $id, reason: $r) { id enteredInError enteredInErrorReason } }";
    let body = app.gql(Some(&nurse), MARK, json!({ "id": id, "r": "  " })).await;
    assert_eq!(body["errors"][0]["extensions"]["field"], "reason");
    let marked = app.data(&nurse, MARK, json!({ "id": id, "r": "Forkert beboer" })).await;
    assert_eq!(marked["markObservationEnteredInError"]["enteredInError"], true);
    assert_eq!(error_code(&app.gql(Some(&nurse), MARK, json!({ "id": id, "r": "igen" })).await), Some("CONFLICT"));
    let view = app
        .data(&nurse, "query($id: ID!) { resident(id: $id) { latestObservation { id } observations(first: 1) { edges { node { id enteredInError } } } } }", json!({ "id": resident }))
        .await;
    assert_ne!(view["resident"]["latestObservation"]["id"], id, "left out of the latest");
    assert_eq!(view["resident"]["observations"]["edges"][0]["node"]["id"], id, "still in the record");
    // The trend is every valid observation of the window, oldest first, with its stored NEWS2;
    // the record's count includes the one entered in error, whatever the page size.
    let from = app.now - chrono::Duration::days(30);
    let stored = observation::Entity::find()
        .filter(observation::Column::ResidentId.eq(uuid_of(&resident)))
        .filter(observation::Column::RecordedAt.gte(from))
        .order_by_asc(observation::Column::RecordedAt)
        .all(&app.db)
        .await
        .expect("rows");
    assert!(stored.iter().any(|o| o.entered_in_error) && stored.len() > 2, "a window with one in error");
    const TREND: &str = "query($id: ID!, $from: DateTime!, $n: Int!) { resident(id: $id) { observations(from: $from, first: $n) { totalCount } news2Trend(days: 30) { recordedAt total riskLevel complete } } }";
    for n in [1, 100] {
        let vars = json!({ "id": resident, "from": from.to_rfc3339(), "n": n });
        let data = app.data(&nurse, TREND, vars).await;
        assert_eq!(data["resident"]["observations"]["totalCount"], stored.len(), "first: {n}");
        let trend: Vec<_> = data["resident"]["news2Trend"]
            .as_array()
            .expect("trend")
            .iter()
            .map(|p| {
                (
                    p["recordedAt"].as_str().expect("time").parse::<chrono::DateTime<chrono::Utc>>().expect("time"),
                    p["total"].as_i64().expect("total"),
                    p["riskLevel"].as_str().expect("risk").to_owned(),
                    p["complete"].as_bool().expect("complete"),
                )
            })
            .collect();
        let expected: Vec<_> = stored
            .iter()
            .filter(|o| !o.entered_in_error)
            .map(|o| (o.recorded_at, i64::from(o.news2_total), o.news2_risk.to_value(), o.news2_complete))
            .collect();
        assert_eq!(trend, expected);
    }
    let relative = app.login("paaroerende@demo.dk").await;
    assert_eq!(error_code(&app.gql(Some(&relative), MARK, json!({ "id": id, "r": "x" })).await), Some("FORBIDDEN"));
    let other_nurse = app.login("sygeplejerske.lindegaarden@demo.dk").await;
    assert_eq!(error_code(&app.gql(Some(&other_nurse), MARK, json!({ "id": id, "r": "x" })).await), Some("NOT_FOUND"));
}

const ALERTS: &str = "subscription { observationAlerts { resync riskLevel observation { id } resident { fullName } } }";

async fn medium_and_high_scores_raise_live_alerts(app: TestApp) {
    let nurse = app.login(NURSE_S).await;
    let list = residents(&app, &nurse).await;
    let (resident, _, _) = list.iter().find(|r| r.2 == "Peter Hansen").expect("Hansen's resident").clone();
    let other_nurse = app.login("sygeplejerske.lindegaarden@demo.dk").await;
    let hansen = app.login("laege.hansen@demo.dk").await;
    let mut staff = app.subscribe(&nurse, ALERTS, json!({})).await;
    let mut gp = app.subscribe(&hansen, ALERTS, json!({})).await;
    let mut elsewhere = app.subscribe(&other_nurse, ALERTS, json!({})).await;

    app.data(&nurse, RECORD, json!({ "i": normal(&app, &resident) })).await;
    let high = with(normal(&app, &resident), json!({ "respirationRate": 26, "pulse": 125, "systolicBp": 95 }));
    let data = app.data(&nurse, RECORD, json!({ "i": high })).await;
    let id = data["recordObservation"]["observation"]["id"].clone();
    for subscription in [&mut staff, &mut gp] {
        let alert = subscription.next(5).await.expect("an alert");
        assert_eq!(
            alert["data"]["observationAlerts"]["observation"]["id"], id,
            "the LOW one raised nothing: {alert:#}"
        );
        assert_eq!(alert["data"]["observationAlerts"]["riskLevel"], "HIGH");
    }
    assert!(elsewhere.next(1).await.is_none(), "another centre's nurse hears nothing");
}

backends!(
    records_with_news2_and_escalation,
    news2_uses_the_residents_spo2_scale,
    implausible_values_are_refused_and_nothing_is_stored,
    replays_return_the_first_result,
    only_staff_and_the_gp_may_record,
    entered_in_error_is_kept_but_left_out,
    medium_and_high_scores_raise_live_alerts,
);

/// With PostgreSQL, an alert raised through one instance reaches subscribers on another.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn alerts_cross_instances() {
    let Some(app) = plejelink_tests::spawn_app(plejelink_tests::Backend::Postgres).await else { return };
    let second = app.spawn_instance().await;
    let nurse = app.login(NURSE_S).await;
    let list = residents(&app, &nurse).await;
    let resident = list.iter().find(|r| r.2 == "Peter Hansen").expect("Hansen's resident").0.clone();
    let hansen = app.login("laege.hansen@demo.dk").await;
    let mut gp = app.subscribe(&hansen, ALERTS, json!({})).await;
    // The nurse's request goes to the second instance.
    let high = with(normal(&app, &resident), json!({ "respirationRate": 26, "pulse": 125, "systolicBp": 95 }));
    let body: Value = app
        .client
        .post(format!("{second}/graphql"))
        .bearer_auth(&nurse)
        .json(&json!({ "query": RECORD, "variables": { "i": high } }))
        .send()
        .await
        .expect("send")
        .json()
        .await
        .expect("json");
    let id = body["data"]["recordObservation"]["observation"]["id"].clone();
    assert!(id.is_string(), "{body:#}");
    let alert = gp.next(5).await.expect("the alert crossed instances");
    assert_eq!(alert["data"]["observationAlerts"]["observation"]["id"], id);
}
