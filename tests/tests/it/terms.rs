//! Collaboration agreements: AGREED only when both the coordinator and the doctor accepted.

use chrono::{DateTime, Duration, Utc};
use entities::collaboration_agreement;
use entities::enums::AgreementStatus;
use plejelink_tests::{TestApp, backends, error_code, uuid_of};
use sea_orm::ActiveValue::Set;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, IntoActiveModel, QueryFilter};
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

fn time(value: &serde_json::Value) -> DateTime<Utc> {
    value.as_str().unwrap_or_else(|| panic!("a time: {value}")).parse().expect("RFC 3339")
}

/// Accepting supersedes the agreement before, so two AGREED rows for one centre and doctor never
/// arise through the API; stored anyway, every rule reads the same one, the newest: the answer
/// deadline, the agenda deadline (shown and applied) and the centre's agreement.
async fn every_rule_reads_the_newest_agreement_in_force(app: TestApp) {
    let coordinator = app.login("koordinator.solhaven@demo.dk").await;
    let centres = app.data(&coordinator, "{ careCentres { id doctors { id } } }", json!({})).await;
    let centre = centres["careCentres"][0]["id"].clone();
    let doctor = centres["careCentres"][0]["doctors"][0]["id"].clone();
    let old = collaboration_agreement::Entity::find()
        .filter(collaboration_agreement::Column::CareCentreId.eq(uuid_of(&centre)))
        .filter(collaboration_agreement::Column::DoctorId.eq(uuid_of(&doctor)))
        .filter(collaboration_agreement::Column::Status.eq(AgreementStatus::Agreed))
        .one(&app.db)
        .await
        .expect("query")
        .expect("the demo agreement");
    let (revision, agreed_at) = (old.revision + 1, old.agreed_at.map(|at| at + Duration::days(1)));
    let mut newer = old.into_active_model();
    newer.id = Set(uuid::Uuid::now_v7());
    newer.revision = Set(revision);
    newer.agreed_at = Set(agreed_at);
    newer.urgent_answer_hours = Set(1);
    newer.agenda_deadline_hours = Set(24);
    let newer = newer.insert(&app.db).await.expect("insert");

    let ask = "mutation($i: AskQuestionInput!) { askQuestion(input: $i) { question { id dueAt } } }";
    let input = json!({ "clientMutationId": uuid::Uuid::new_v4().to_string(), "careCentreId": centre,
        "doctorId": doctor, "subject": "Vagtplan", "body": "Hvem tager telefonen i weekenden?", "priority": "URGENT" });
    let asked = app.data(&coordinator, ask, json!({ "i": input })).await["askQuestion"]["question"].clone();
    assert_eq!(time(&asked["dueAt"]), app.now + Duration::hours(1));

    let hansen = app.login("laege.hansen@demo.dk").await;
    let starts = app.now + Duration::hours(30);
    let schedule = "mutation($i: ScheduleMeetingInput!) { scheduleMeeting(input: $i) { id agendaDeadline } }";
    let input = json!({ "careCentreId": centre, "kind": "ADVISORY", "startsAt": starts.to_rfc3339(),
        "durationMinutes": 60, "location": "Mødelokalet" });
    let meeting = app.data(&hansen, schedule, json!({ "i": input })).await["scheduleMeeting"].clone();
    assert_eq!(time(&meeting["agendaDeadline"]), starts - Duration::hours(24));
    let moved = app
        .data(
            &hansen,
            "mutation($q: ID!, $m: ID) { moveQuestionToAgenda(questionId: $q, meetingId: $m) { addedAfterDeadline } }",
            json!({ "q": asked["id"], "m": meeting["id"] }),
        )
        .await;
    assert_eq!(moved["moveQuestionToAgenda"]["addedAfterDeadline"], false, "24 h before, not 48");

    let shown = app
        .data(
            &coordinator,
            "query($d: ID) { careCentres { agreement { agendaDeadlineHours } withDoctor: agreement(doctorId: $d) { agendaDeadlineHours } } }",
            json!({ "d": doctor }),
        )
        .await;
    assert_eq!(shown["careCentres"][0]["agreement"]["agendaDeadlineHours"], newer.agenda_deadline_hours);
    assert_eq!(shown["careCentres"][0]["withDoctor"]["agendaDeadlineHours"], 24);
}

backends!(both_sides_accept_and_the_old_one_is_superseded, every_rule_reads_the_newest_agreement_in_force);
