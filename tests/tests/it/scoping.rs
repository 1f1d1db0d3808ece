//! DESIGN §4 role by role: what each viewer sees, and that everything else is NOT_FOUND.

use chrono::{DateTime, Duration, Utc};
use entities::{relative_link, staff_membership};
use plejelink_tests::{TestApp, backends, error_code, error_codes};
use sea_orm::sea_query::Expr;
use sea_orm::{EntityTrait, QueryFilter};
use serde_json::{Value, json};
use std::collections::BTreeSet;

const NURSE_S: &str = "sygeplejerske.solhaven@demo.dk";
const NURSE_L: &str = "sygeplejerske.lindegaarden@demo.dk";
const COORD_S: &str = "koordinator.solhaven@demo.dk";
const HANSEN: &str = "laege.hansen@demo.dk";
const BERG: &str = "laege.berg@demo.dk";
const RELATIVE: &str = "paaroerende@demo.dk";
const ADMIN: &str = "admin@demo.dk";

/// Centre ids by name, as the admin sees them.
async fn centres(app: &TestApp) -> (Value, Value) {
    let admin = app.login(ADMIN).await;
    let data = app.data(&admin, "{ careCentres { id name } }", json!({})).await;
    let find = |name: &str| {
        data["careCentres"].as_array().expect("list").iter().find(|c| c["name"] == name).expect(name)["id"].clone()
    };
    (find("Plejecenter Solhaven"), find("Plejecenter Lindegården"))
}

const ROSTER: &str = "query($c: ID!, $s: String, $first: Int) { residents(careCentreId: $c, search: $s, first: $first) { totalCount edges { node { id fullName room generalPractitioner { doctor { displayName } } } } } }";

async fn roster(app: &TestApp, token: &str, centre: &Value) -> Value {
    app.gql(Some(token), ROSTER, json!({ "c": centre, "first": 100 })).await
}

async fn care_centres_follow_membership_and_attachment(app: TestApp) {
    let expected: [(&str, &[&str]); 7] = [
        (NURSE_S, &["Plejecenter Solhaven"]),
        (NURSE_L, &["Plejecenter Lindegården"]),
        (COORD_S, &["Plejecenter Solhaven"]),
        (HANSEN, &["Plejecenter Lindegården", "Plejecenter Solhaven"]),
        (BERG, &["Plejecenter Lindegården"]),
        (RELATIVE, &["Plejecenter Solhaven"]),
        (ADMIN, &["Plejecenter Lindegården", "Plejecenter Solhaven"]),
    ];
    let (solhaven, lindegaarden) = centres(&app).await;
    for (email, names) in expected {
        let token = app.login(email).await;
        let data = app.data(&token, "{ careCentres { name } }", json!({})).await;
        let got: Vec<&str> =
            data["careCentres"].as_array().expect("list").iter().filter_map(|c| c["name"].as_str()).collect();
        assert_eq!(got, names, "{email}");
        let other = if names.contains(&"Plejecenter Solhaven") { &lindegaarden } else { &solhaven };
        if names.len() == 1 {
            let body =
                app.gql(Some(&token), "query($id: ID!) { careCentre(id: $id) { name } }", json!({ "id": other })).await;
            assert_eq!(error_code(&body), Some("NOT_FOUND"), "{email} and the other centre");
        }
    }
    // Relatives see name and contact, not the centre's terms with the doctor.
    let relative = app.login(RELATIVE).await;
    let body = app
        .gql(
            Some(&relative),
            "{ careCentres { name phone relativesContactedBy doctors { displayName } agreement { id } } }",
            json!({}),
        )
        .await;
    assert_eq!(body["data"]["careCentres"][0]["relativesContactedBy"], "STAFF");
    assert_eq!(body["data"]["careCentres"][0]["doctors"][0]["displayName"], "Peter Hansen");
    assert_eq!(error_codes(&body), vec!["NOT_FOUND"], "agreement is not for relatives: {body:#}");
    let coordinator = app.login(COORD_S).await;
    let data = app
        .data(&coordinator, "{ careCentres { agreement { status agendaDeadlineHours requiredVitals } } }", json!({}))
        .await;
    assert_eq!(data["careCentres"][0]["agreement"]["status"], "AGREED");
    assert_eq!(data["careCentres"][0]["agreement"]["agendaDeadlineHours"], 48);
    assert_eq!(data["careCentres"][0]["agreement"]["requiredVitals"].as_array().map(Vec::len), Some(6));
}

async fn roster_is_scoped_and_searchable(app: TestApp) {
    let (solhaven, lindegaarden) = centres(&app).await;
    let size = plejelink_tests::test_demo_size().residents_per_centre as i64;
    for (email, sees_s, sees_l) in [
        (NURSE_S, Some(size), None),
        (NURSE_L, None, Some(size)),
        (HANSEN, Some(size), Some(size)),
        (BERG, None, Some(size)),
        (RELATIVE, Some(1), None),
        (ADMIN, Some(size), Some(size)),
    ] {
        let token = app.login(email).await;
        for (centre, expected) in [(&solhaven, sees_s), (&lindegaarden, sees_l)] {
            let body = roster(&app, &token, centre).await;
            match expected {
                Some(n) => assert_eq!(body["data"]["residents"]["totalCount"], n, "{email}: {body:#}"),
                None => assert_eq!(error_code(&body), Some("NOT_FOUND"), "{email}: {body:#}"),
            }
        }
    }
    let nurse = app.login(NURSE_S).await;
    let all = roster(&app, &nurse, &solhaven).await;
    let first = &all["data"]["residents"]["edges"][0]["node"];
    let room = first["room"].as_str().expect("room");
    let by_room = app.data(&nurse, ROSTER, json!({ "c": solhaven, "s": room.to_lowercase() })).await;
    let rooms: Vec<&str> = by_room["residents"]["edges"]
        .as_array()
        .expect("edges")
        .iter()
        .filter_map(|e| e["node"]["room"].as_str())
        .collect();
    assert!(!rooms.is_empty() && rooms.iter().all(|r| r.eq_ignore_ascii_case(room) || r.contains(room)), "{rooms:?}");
    let surname = first["fullName"].as_str().expect("name").split(' ').next_back().expect("surname");
    let by_name = app.data(&nurse, ROSTER, json!({ "c": solhaven, "s": surname.to_uppercase() })).await;
    let names: Vec<&str> = by_name["residents"]["edges"]
        .as_array()
        .expect("edges")
        .iter()
        .filter_map(|e| e["node"]["fullName"].as_str())
        .collect();
    assert!(!names.is_empty() && names.iter().all(|n| n.contains(surname)), "{names:?}");
    let nobody = app.data(&nurse, ROSTER, json!({ "c": solhaven, "s": "zzzz-nobody" })).await;
    assert_eq!(nobody["residents"]["totalCount"], 0);

    // Pages continue where the last one ended.
    let page1 = app.data(&nurse, "query($c: ID!) { residents(careCentreId: $c, first: 5) { pageInfo { hasNextPage endCursor } edges { node { id } } } }", json!({ "c": solhaven })).await;
    assert_eq!(page1["residents"]["pageInfo"]["hasNextPage"], true);
    let cursor = page1["residents"]["pageInfo"]["endCursor"].clone();
    let page2 = app
        .data(
            &nurse,
            "query($c: ID!, $a: String) { residents(careCentreId: $c, first: 5, after: $a) { edges { node { id } } } }",
            json!({ "c": solhaven, "a": cursor }),
        )
        .await;
    assert_eq!(page2["residents"]["edges"][0]["node"]["id"], all["data"]["residents"]["edges"][5]["node"]["id"]);
}

/// A Lindegården resident whose GP is `doctor`, as the Lindegården nurse sees them.
async fn resident_with_gp(app: &TestApp, doctor: &str) -> Value {
    let (_, lindegaarden) = centres(app).await;
    let nurse = app.login(NURSE_L).await;
    let body = roster(app, &nurse, &lindegaarden).await;
    body["data"]["residents"]["edges"]
        .as_array()
        .expect("edges")
        .iter()
        .map(|e| e["node"].clone())
        .find(|r| r["generalPractitioner"]["doctor"]["displayName"] == doctor)
        .expect("a resident with that GP")["id"]
        .clone()
}

const CLINICAL: &str = "query($id: ID!) { resident(id: $id) { fullName clinicalAccess latestObservation { id news2 { total } } observations(first: 3) { totalCount } news2Trend(days: 7) { total } medications { name } polypharmacy medicationReviewDue resuscitation { decision } } }";

async fn clinical_record_is_for_staff_and_the_gp_only(app: TestApp) {
    let hansens = resident_with_gp(&app, "Peter Hansen").await;
    let bergs = resident_with_gp(&app, "Lise Berg").await;
    for (email, resident, clinical) in [
        (NURSE_L, &hansens, true),
        (NURSE_L, &bergs, true),
        (HANSEN, &hansens, true),
        (HANSEN, &bergs, false),
        (BERG, &bergs, true),
        (BERG, &hansens, false),
        (ADMIN, &bergs, false),
    ] {
        let token = app.login(email).await;
        let body = app.gql(Some(&token), CLINICAL, json!({ "id": resident })).await;
        let data = &body["data"]["resident"];
        assert!(data["fullName"].is_string(), "{email} sees the roster entry: {body:#}");
        assert_eq!(data["clinicalAccess"], clinical, "{email}");
        if clinical {
            assert!(body.get("errors").is_none(), "{email}: {body:#}");
            assert!(data["observations"]["totalCount"].as_i64().expect("count") > 0);
            assert!(!data["news2Trend"].as_array().expect("trend").is_empty());
        } else {
            let codes = error_codes(&body);
            assert_eq!(codes.len(), 7, "{email}: every clinical field refused: {body:#}");
            assert!(codes.iter().all(|c| c == "NOT_FOUND"), "{codes:?}");
        }
    }
    // Residents of another centre do not exist for a nurse.
    let nurse_s = app.login(NURSE_S).await;
    let body = app.gql(Some(&nurse_s), CLINICAL, json!({ "id": hansens })).await;
    assert_eq!(error_code(&body), Some("NOT_FOUND"));
    assert!(body["data"]["resident"].is_null());
    let node = app.gql(Some(&nurse_s), "query($id: ID!) { node(id: $id) { id } }", json!({ "id": hansens })).await;
    assert_eq!(error_code(&node), Some("NOT_FOUND"));
    let nurse_l = app.login(NURSE_L).await;
    let node = app
        .data(
            &nurse_l,
            "query($id: ID!) { node(id: $id) { id ... on Resident { fullName } } }",
            json!({ "id": hansens }),
        )
        .await;
    assert_eq!(node["node"]["id"], hansens);
}

async fn relatives_see_their_resident_and_agreed_shared_plans_only(app: TestApp) {
    let relative = app.login(RELATIVE).await;
    let me = app.data(&relative, "{ me { residents { id fullName careCentre { name } } } }", json!({})).await;
    let residents = me["me"]["residents"].as_array().expect("list");
    assert_eq!(residents.len(), 1);
    let id = residents[0]["id"].clone();
    let plans = app.data(&relative, "query($id: ID!) { resident(id: $id) { carePlan { status sharedWithRelatives sections { heading } } carePlans { status } } }", json!({ "id": id })).await;
    assert_eq!(plans["resident"]["carePlan"]["status"], "AGREED");
    assert_eq!(plans["resident"]["carePlan"]["sharedWithRelatives"], true);
    let statuses: BTreeSet<&str> =
        plans["resident"]["carePlans"].as_array().expect("list").iter().filter_map(|p| p["status"].as_str()).collect();
    assert_eq!(statuses, BTreeSet::from(["AGREED", "SUPERSEDED"]));
    for field in [
        "observations { totalCount }",
        "medications { name }",
        "resuscitation { decision }",
        "relatives { relation }",
        "questions { totalCount }",
    ] {
        let body = app
            .gql(
                Some(&relative),
                &format!("query($id: ID!) {{ resident(id: $id) {{ {field} }} }}"),
                json!({ "id": id }),
            )
            .await;
        assert_eq!(error_code(&body), Some("NOT_FOUND"), "relative and {field}: {body:#}");
    }
    // Other residents of the same centre do not exist for the relative.
    let (solhaven, _) = centres(&app).await;
    let admin = app.login(ADMIN).await;
    let all = roster(&app, &admin, &solhaven).await;
    let other = all["data"]["residents"]["edges"]
        .as_array()
        .expect("edges")
        .iter()
        .map(|e| e["node"]["id"].clone())
        .find(|r| *r != id)
        .expect("other");
    let body =
        app.gql(Some(&relative), "query($id: ID!) { resident(id: $id) { fullName } }", json!({ "id": other })).await;
    assert_eq!(error_code(&body), Some("NOT_FOUND"));
    // Staff see every version, drafts included, for some resident.
    let nurse = app.login(NURSE_S).await;
    let plans = app
        .data(
            &nurse,
            "query($c: ID!) { residents(careCentreId: $c, first: 100) { edges { node { carePlans { status } } } } }",
            json!({ "c": solhaven }),
        )
        .await;
    let text = plans.to_string();
    assert!(text.contains("DRAFT") && text.contains("SUPERSEDED"));

    // Consent expired: access ends at once.
    relative_link::Entity::update_many()
        .col_expr(relative_link::Column::ConsentExpiresAt, Expr::value(app.now - Duration::minutes(1)))
        .exec(&app.db)
        .await
        .expect("expire");
    let body =
        app.gql(Some(&relative), "query($id: ID!) { resident(id: $id) { fullName } }", json!({ "id": id })).await;
    assert_eq!(error_code(&body), Some("NOT_FOUND"));
}

async fn ended_membership_ends_access(app: TestApp) {
    let (solhaven, _) = centres(&app).await;
    let nurse = app.login(NURSE_S).await;
    assert!(roster(&app, &nurse, &solhaven).await.get("errors").is_none());
    staff_membership::Entity::update_many()
        .col_expr(staff_membership::Column::EndedAt, Expr::value(app.now))
        .filter(sea_orm::ColumnTrait::eq(&staff_membership::Column::CareCentreId, uuid_of(&app, &solhaven).await))
        .exec(&app.db)
        .await
        .expect("end memberships");
    assert_eq!(error_code(&roster(&app, &nurse, &solhaven).await), Some("NOT_FOUND"));
}

async fn uuid_of(app: &TestApp, centre: &Value) -> uuid::Uuid {
    let centres = entities::care_centre::Entity::find().all(&app.db).await.expect("q");
    let admin = app.login(ADMIN).await;
    let data = app.data(&admin, "query($id: ID!) { careCentre(id: $id) { name } }", json!({ "id": centre })).await;
    centres.into_iter().find(|c| data["careCentre"]["name"] == c.name.as_str()).expect("centre").id
}

fn queue_key(q: &Value) -> (bool, bool, DateTime<Utc>) {
    let due: DateTime<Utc> = q["dueAt"].as_str().expect("dueAt").parse().expect("date");
    (!q["overdue"].as_bool().expect("overdue"), q["priority"] != "URGENT", due)
}

const QUEUE: &str = "{ doctorQueue(first: 50) { totalCount edges { node { id status priority overdue dueAt doctor { displayName } } } } }";

async fn doctor_queue_is_ordered_and_personal(app: TestApp) {
    let nurse = app.login(NURSE_S).await;
    assert_eq!(error_code(&app.gql(Some(&nurse), QUEUE, json!({})).await), Some("FORBIDDEN"));
    for (email, name) in [(HANSEN, "Peter Hansen"), (BERG, "Lise Berg")] {
        let token = app.login(email).await;
        let data = app.data(&token, QUEUE, json!({})).await;
        let queue: Vec<Value> =
            data["doctorQueue"]["edges"].as_array().expect("edges").iter().map(|e| e["node"].clone()).collect();
        assert!(
            queue.iter().all(|q| q["status"] == "OPEN" && q["doctor"]["displayName"] == name),
            "{email}: {queue:#?}"
        );
        let keys: Vec<_> = queue.iter().map(queue_key).collect();
        assert!(keys.windows(2).all(|w| w[0] <= w[1]), "{email}: overdue, urgent, due order: {keys:?}");
        if email == HANSEN {
            assert!(queue.first().is_some_and(|q| q["overdue"] == true), "an overdue question heads the queue");
            assert!(queue.iter().any(|q| q["priority"] == "URGENT"));
        }
    }
    // Questions addressed to Hansen are not Berg's; nor the other centre's nurse's; nor a relative's.
    let hansen = app.login(HANSEN).await;
    let data = app.data(&hansen, QUEUE, json!({})).await;
    let solhaven_question = data["doctorQueue"]["edges"][0]["node"]["id"].clone();
    for email in [BERG, NURSE_L, RELATIVE, ADMIN] {
        let token = app.login(email).await;
        let body = app
            .gql(Some(&token), "query($id: ID!) { question(id: $id) { subject } }", json!({ "id": solhaven_question }))
            .await;
        assert_eq!(error_code(&body), Some("NOT_FOUND"), "{email}: {body:#}");
    }
    let question = app.data(&nurse, "query($id: ID!) { question(id: $id) { subject messages { body author { displayName } } careCentre { name } } }", json!({ "id": solhaven_question })).await;
    assert_eq!(question["question"]["careCentre"]["name"], "Plejecenter Solhaven");
    assert!(!question["question"]["messages"].as_array().expect("messages").is_empty());
}

const MEETINGS: &str = "{ meetings(first: 100) { totalCount edges { node { id kind status startsAt agendaDeadline careCentre { name } agendaItems { title } } } } }";

async fn meetings_follow_centre_and_invitation(app: TestApp) {
    let mut totals = Vec::new();
    for email in [NURSE_S, NURSE_L, BERG, RELATIVE, ADMIN] {
        let token = app.login(email).await;
        let data = app.data(&token, MEETINGS, json!({})).await;
        let meetings: Vec<Value> =
            data["meetings"]["edges"].as_array().expect("edges").iter().map(|e| e["node"].clone()).collect();
        let centres: BTreeSet<&str> = meetings.iter().filter_map(|m| m["careCentre"]["name"].as_str()).collect();
        match email {
            NURSE_S => assert_eq!(centres, BTreeSet::from(["Plejecenter Solhaven"])),
            NURSE_L | BERG => assert_eq!(centres, BTreeSet::from(["Plejecenter Lindegården"])),
            RELATIVE => {
                assert_eq!(meetings.len(), 1, "only the care conference they are invited to");
                assert_eq!(meetings[0]["kind"], "CARE_CONFERENCE");
            }
            _ => assert_eq!(centres.len(), 2),
        }
        for m in &meetings {
            let starts: DateTime<Utc> = m["startsAt"].as_str().expect("startsAt").parse().expect("date");
            let deadline: DateTime<Utc> = m["agendaDeadline"].as_str().expect("deadline").parse().expect("date");
            assert_eq!(starts - deadline, Duration::hours(48));
        }
        let starts: Vec<&str> = meetings.iter().filter_map(|m| m["startsAt"].as_str()).collect();
        assert!(starts.windows(2).all(|w| w[0].parse::<DateTime<Utc>>().ok() <= w[1].parse::<DateTime<Utc>>().ok()));
        totals.push(meetings.len());
    }
    assert_eq!(totals[4], totals[0] + totals[1], "admin sees all meetings");
    // A meeting of another centre does not exist for the nurse.
    let nurse_l = app.login(NURSE_L).await;
    let data = app.data(&nurse_l, MEETINGS, json!({})).await;
    let lindegaarden_meeting = data["meetings"]["edges"][0]["node"]["id"].clone();
    let nurse_s = app.login(NURSE_S).await;
    let body = app
        .gql(Some(&nurse_s), "query($id: ID!) { meeting(id: $id) { kind } }", json!({ "id": lindegaarden_meeting }))
        .await;
    assert_eq!(error_code(&body), Some("NOT_FOUND"));
    let (_, lindegaarden) = centres(&app).await;
    let body = app
        .gql(
            Some(&nurse_s),
            "query($c: ID) { meetings(careCentreId: $c) { totalCount } }",
            json!({ "c": lindegaarden }),
        )
        .await;
    assert_eq!(error_code(&body), Some("NOT_FOUND"));
}

const REPORT: &str = "query($c: ID!, $m: String!) { advisoryTimeReport(careCentreId: $c, month: $m) { month allottedAdvisoryMinutes advisoryMinutes individualMinutes entries { kind minutes } } }";

async fn advisory_time_report_is_for_coordinators_doctors_and_admin(app: TestApp) {
    let (solhaven, lindegaarden) = centres(&app).await;
    let month = app.now.format("%Y-%m").to_string();
    for (email, centre, expected) in [
        (NURSE_S, &solhaven, Some("FORBIDDEN")),
        (RELATIVE, &solhaven, Some("FORBIDDEN")),
        (COORD_S, &lindegaarden, Some("NOT_FOUND")),
        (BERG, &solhaven, Some("NOT_FOUND")),
        (COORD_S, &solhaven, None),
        (HANSEN, &solhaven, None),
        (ADMIN, &lindegaarden, None),
    ] {
        let token = app.login(email).await;
        let body = app.gql(Some(&token), REPORT, json!({ "c": centre, "m": month })).await;
        assert_eq!(error_code(&body), expected, "{email}: {body:#}");
        if expected.is_none() {
            let report = &body["data"]["advisoryTimeReport"];
            let sum = |kind: &str| -> i64 {
                report["entries"]
                    .as_array()
                    .expect("entries")
                    .iter()
                    .filter(|e| e["kind"] == kind)
                    .filter_map(|e| e["minutes"].as_i64())
                    .sum()
            };
            assert_eq!(report["advisoryMinutes"], sum("GENERAL_ADVISORY"));
            assert_eq!(report["individualMinutes"], sum("INDIVIDUAL_TREATMENT"));
            assert!(report["allottedAdvisoryMinutes"].as_i64().expect("allotted") > 0);
        }
    }
    let coordinator = app.login(COORD_S).await;
    let body = app.gql(Some(&coordinator), REPORT, json!({ "c": solhaven, "m": "2026-13" })).await;
    assert_eq!(body["errors"][0]["extensions"]["field"], "month");
    // November has 30 days: Solhaven's 90 weekly minutes give 386 allotted minutes.
    let body = app.data(&coordinator, REPORT, json!({ "c": solhaven, "m": "2026-11" })).await;
    assert_eq!(body["advisoryTimeReport"]["allottedAdvisoryMinutes"], 386);
}

async fn polypharmacy_levels_match_active_medication(app: TestApp) {
    let (solhaven, _) = centres(&app).await;
    let nurse = app.login(NURSE_S).await;
    let data = app.data(&nurse, "query($c: ID!) { residents(careCentreId: $c, first: 100) { edges { node { activeMedicationCount polypharmacy medicationReviewDue medications(includeStopped: true) { active } } } } }", json!({ "c": solhaven })).await;
    let mut levels = BTreeSet::new();
    for edge in data["residents"]["edges"].as_array().expect("edges") {
        let r = &edge["node"];
        let count = r["activeMedicationCount"].as_i64().expect("count");
        let active = r["medications"].as_array().expect("meds").iter().filter(|m| m["active"] == true).count() as i64;
        assert_eq!(count, active);
        let expected = match count {
            15.. => "FIFTEEN_PLUS",
            6.. => "SIX_PLUS",
            _ => "NONE",
        };
        assert_eq!(r["polypharmacy"], expected);
        if expected == "NONE" {
            assert_eq!(r["medicationReviewDue"], false);
        }
        levels.insert(expected);
    }
    assert_eq!(levels, BTreeSet::from(["FIFTEEN_PLUS", "NONE", "SIX_PLUS"]));
    let text = data.to_string();
    assert!(text.contains("\"medicationReviewDue\":true"), "some review is due");
}

backends!(
    care_centres_follow_membership_and_attachment,
    roster_is_scoped_and_searchable,
    clinical_record_is_for_staff_and_the_gp_only,
    relatives_see_their_resident_and_agreed_shared_plans_only,
    ended_membership_ends_access,
    doctor_queue_is_ordered_and_personal,
    meetings_follow_centre_and_invitation,
    advisory_time_report_is_for_coordinators_doctors_and_admin,
    polypharmacy_levels_match_active_medication,
);
