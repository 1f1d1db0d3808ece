//! Asking the doctor: the required-vitals rule, deadlines, idempotency, the thread, the agenda,
//! and live updates between nurse and doctor.

use chrono::{DateTime, Duration, Utc};
use entities::enums::QuestionPriority;
use entities::question;
use plejelink::domain::deadlines::answer_due_at;
use plejelink_tests::{TestApp, backends, error_code};
use sea_orm::{EntityTrait, PaginatorTrait};
use serde_json::{Value, json};

const ASK: &str = "mutation($i: AskQuestionInput!) { askQuestion(input: $i) { missingVitals question { id status priority dueAt askedAt overrideReason missingVitals doctor { displayName } attachedObservations { id } } } }";
const RECORD: &str = "mutation($i: RecordObservationInput!) { recordObservation(input: $i) { observation { id } } }";
const NURSE_L: &str = "sygeplejerske.lindegaarden@demo.dk";

struct Fixture {
    nurse: String,
    centre: Value,
    /// A Lindegården resident whose GP is Lise Berg.
    resident: Value,
}

async fn fixture(app: &TestApp) -> Fixture {
    let nurse = app.login(NURSE_L).await;
    let centres = app.data(&nurse, "{ careCentres { id } }", json!({})).await;
    let centre = centres["careCentres"][0]["id"].clone();
    let data = app
        .data(&nurse, "query($c: ID!) { residents(careCentreId: $c, first: 100) { edges { node { id generalPractitioner { doctor { displayName } } } } } }", json!({ "c": centre }))
        .await;
    let resident = data["residents"]["edges"]
        .as_array()
        .expect("edges")
        .iter()
        .find(|e| e["node"]["generalPractitioner"]["doctor"]["displayName"] == "Lise Berg")
        .expect("Berg's resident")["node"]["id"]
        .clone();
    Fixture { nurse, centre, resident }
}

fn question(f: &Fixture, priority: &str) -> Value {
    json!({
        "clientMutationId": uuid::Uuid::new_v4().to_string(),
        "careCentreId": f.centre,
        "residentId": f.resident,
        "subject": "Feber og forvirring",
        "body": "Beboeren er mere forvirret og har feber. Ønskes tilsyn?",
        "priority": priority,
    })
}

async fn record_complete(app: &TestApp, f: &Fixture, at: DateTime<Utc>) -> Value {
    let input = json!({
        "clientMutationId": uuid::Uuid::new_v4().to_string(), "residentId": f.resident, "recordedAt": at.to_rfc3339(),
        "respirationRate": 22, "oxygenSaturation": 94, "onSupplementalOxygen": false, "systolicBp": 105,
        "diastolicBp": 70, "pulse": 104, "consciousness": "NEW_CONFUSION", "temperature": 38.6,
    });
    app.data(&f.nurse, RECORD, json!({ "i": input })).await["recordObservation"]["observation"]["id"].clone()
}

async fn questions_stored(app: &TestApp) -> u64 {
    question::Entity::find().count(&app.db).await.expect("count")
}

fn missing(body: &Value) -> Vec<&str> {
    body.as_array().map(|a| a.iter().filter_map(Value::as_str).collect()).unwrap_or_default()
}

async fn urgent_needs_fresh_required_vitals_or_an_override(app: TestApp) {
    let f = fixture(&app).await;
    // The demo's newest observation of this resident is from earlier rounds; move past its 4 h.
    app.clock.set(app.now + Duration::hours(30));
    let before = questions_stored(&app).await;
    let body = app.gql(Some(&f.nurse), ASK, json!({ "i": question(&f, "URGENT") })).await;
    assert_eq!(error_code(&body), Some("VALIDATION"), "{body:#}");
    assert_eq!(body["errors"][0]["extensions"]["field"], "observationIds");
    assert_eq!(missing(&body["errors"][0]["extensions"]["missingVitals"]).len(), 6);
    assert_eq!(questions_stored(&app).await, before, "nothing stored");

    // With an override reason it goes through, and the doctor sees the reason.
    let overridden = json!({ "overrideReason": "Beboeren afviser blodtryksmåling" });
    let mut input = question(&f, "URGENT");
    input["overrideReason"] = overridden["overrideReason"].clone();
    let data = app.data(&f.nurse, ASK, json!({ "i": input })).await;
    assert_eq!(data["askQuestion"]["question"]["overrideReason"], "Beboeren afviser blodtryksmåling");
    assert_eq!(missing(&data["askQuestion"]["missingVitals"]).len(), 6);

    // A fresh complete set is found and attached automatically.
    let now = app.now + Duration::hours(30);
    let observation = record_complete(&app, &f, now - Duration::minutes(20)).await;
    let data = app.data(&f.nurse, ASK, json!({ "i": question(&f, "URGENT") })).await;
    assert_eq!(data["askQuestion"]["missingVitals"], json!([]));
    assert_eq!(data["askQuestion"]["question"]["attachedObservations"][0]["id"], observation);
    assert_eq!(data["askQuestion"]["question"]["doctor"]["displayName"], "Lise Berg", "the resident's GP");

    // Older than the agreement's 4 hours: refused again.
    app.clock.set(now + Duration::hours(5));
    let mut input = question(&f, "URGENT");
    input["observationIds"] = json!([observation]);
    let body = app.gql(Some(&f.nurse), ASK, json!({ "i": input })).await;
    assert_eq!(error_code(&body), Some("VALIDATION"), "a stale observation does not count: {body:#}");
}

async fn partial_vitals_are_listed_and_routine_is_never_refused(app: TestApp) {
    let f = fixture(&app).await;
    let input = json!({
        "clientMutationId": uuid::Uuid::new_v4().to_string(), "residentId": f.resident, "recordedAt": app.now.to_rfc3339(),
        "pulse": 88, "temperature": 37.9, "systolicBp": 120, "diastolicBp": 70,
    });
    let observation =
        app.data(&f.nurse, RECORD, json!({ "i": input })).await["recordObservation"]["observation"]["id"].clone();
    let mut urgent = question(&f, "URGENT");
    urgent["observationIds"] = json!([observation]);
    let body = app.gql(Some(&f.nurse), ASK, json!({ "i": urgent })).await;
    let listed = missing(&body["errors"][0]["extensions"]["missingVitals"]);
    assert_eq!(listed, vec!["RESPIRATION_RATE", "OXYGEN_SATURATION", "CONSCIOUSNESS"], "{body:#}");

    let mut routine = question(&f, "ROUTINE");
    routine["observationIds"] = json!([observation]);
    let data = app.data(&f.nurse, ASK, json!({ "i": routine })).await;
    assert_eq!(
        missing(&data["askQuestion"]["missingVitals"]),
        vec!["RESPIRATION_RATE", "OXYGEN_SATURATION", "CONSCIOUSNESS"]
    );
    assert_eq!(data["askQuestion"]["question"]["status"], "OPEN");
}

async fn due_at_follows_the_agreement(app: TestApp) {
    let f = fixture(&app).await;
    record_complete(&app, &f, app.now).await;
    let urgent = app.data(&f.nurse, ASK, json!({ "i": question(&f, "URGENT") })).await;
    let due: DateTime<Utc> = urgent["askQuestion"]["question"]["dueAt"].as_str().expect("due").parse().expect("date");
    assert_eq!(due, app.now + Duration::hours(4));
    let routine = app.data(&f.nurse, ASK, json!({ "i": question(&f, "ROUTINE") })).await;
    let due: DateTime<Utc> = routine["askQuestion"]["question"]["dueAt"].as_str().expect("due").parse().expect("date");
    assert_eq!(due, answer_due_at(app.now, QuestionPriority::Routine, 4, 2));
    assert!(due >= app.now + Duration::days(2));
}

async fn asking_is_idempotent_and_for_staff_only(app: TestApp) {
    let f = fixture(&app).await;
    let input = question(&f, "ROUTINE");
    let first = app.data(&f.nurse, ASK, json!({ "i": input })).await;
    let before = questions_stored(&app).await;
    let replay = app.data(&f.nurse, ASK, json!({ "i": input })).await;
    assert_eq!(first["askQuestion"]["question"]["id"], replay["askQuestion"]["question"]["id"]);
    assert_eq!(questions_stored(&app).await, before);
    let mut changed = input.clone();
    changed["body"] = json!("Noget andet");
    assert_eq!(error_code(&app.gql(Some(&f.nurse), ASK, json!({ "i": changed })).await), Some("CONFLICT"));
    for (email, code) in [
        ("laege.berg@demo.dk", "FORBIDDEN"),
        ("paaroerende@demo.dk", "FORBIDDEN"),
        ("sygeplejerske.solhaven@demo.dk", "NOT_FOUND"),
    ] {
        let token = app.login(email).await;
        let body = app.gql(Some(&token), ASK, json!({ "i": question(&f, "ROUTINE") })).await;
        assert_eq!(error_code(&body), Some(code), "{email}");
    }
    let mut general = question(&f, "ROUTINE");
    general.as_object_mut().expect("object").remove("residentId");
    let data = app.data(&f.nurse, ASK, json!({ "i": general })).await;
    assert_eq!(data["askQuestion"]["question"]["doctor"]["displayName"], "Peter Hansen", "the centre's first doctor");
    let mut blank = question(&f, "ROUTINE");
    blank["subject"] = json!("   ");
    assert_eq!(
        app.gql(Some(&f.nurse), ASK, json!({ "i": blank })).await["errors"][0]["extensions"]["field"],
        "subject"
    );
}

const ANSWER: &str = "mutation($q: ID!, $b: String!, $c: Boolean) { answerQuestion(questionId: $q, body: $b, close: $c) { status answeredAt closedAt messages { body } } }";
const REPLY: &str =
    "mutation($q: ID!, $b: String!) { replyToQuestion(questionId: $q, body: $b) { status messages { body } } }";

async fn the_thread_answer_reply_and_close(app: TestApp) {
    let f = fixture(&app).await;
    let asked = app.data(&f.nurse, ASK, json!({ "i": question(&f, "ROUTINE") })).await;
    let id = asked["askQuestion"]["question"]["id"].clone();
    let nurse_answer = app.gql(Some(&f.nurse), ANSWER, json!({ "q": id, "b": "Svar" })).await;
    assert_eq!(error_code(&nurse_answer), Some("FORBIDDEN"), "nurses reply, doctors answer");
    let hansen = app.login("laege.hansen@demo.dk").await;
    assert_eq!(error_code(&app.gql(Some(&hansen), ANSWER, json!({ "q": id, "b": "Svar" })).await), Some("NOT_FOUND"));
    let berg = app.login("laege.berg@demo.dk").await;
    let answered = app.data(&berg, ANSWER, json!({ "q": id, "b": "Tag CRP og urinstix." })).await;
    assert_eq!(answered["answerQuestion"]["status"], "ANSWERED");
    assert!(answered["answerQuestion"]["answeredAt"].is_string());
    let queue = app.data(&berg, "{ doctorQueue(first: 50) { edges { node { id } } } }", json!({})).await;
    assert!(!queue.to_string().contains(id.as_str().expect("id")), "answered questions leave the queue");

    let replied = app.data(&f.nurse, REPLY, json!({ "q": id, "b": "CRP 85. Hvad nu?" })).await;
    assert_eq!(replied["replyToQuestion"]["status"], "OPEN", "a follow-up reopens it");
    assert_eq!(replied["replyToQuestion"]["messages"].as_array().map(Vec::len), Some(3));
    let closed = app.data(&berg, ANSWER, json!({ "q": id, "b": "Start penicillin.", "c": true })).await;
    assert_eq!(closed["answerQuestion"]["status"], "CLOSED");
    assert_eq!(error_code(&app.gql(Some(&f.nurse), REPLY, json!({ "q": id, "b": "Tak" })).await), Some("VALIDATION"));
}

async fn overdue_questions_head_the_queue(app: TestApp) {
    let f = fixture(&app).await;
    record_complete(&app, &f, app.now).await;
    let asked = app.data(&f.nurse, ASK, json!({ "i": question(&f, "URGENT") })).await;
    let id = asked["askQuestion"]["question"]["id"].clone();
    let berg = app.login("laege.berg@demo.dk").await;
    const QUEUE: &str = "{ doctorQueue(first: 50) { edges { node { id overdue } } } }";
    let queue = app.data(&berg, QUEUE, json!({})).await;
    let mine = queue["doctorQueue"]["edges"]
        .as_array()
        .expect("edges")
        .iter()
        .find(|e| e["node"]["id"] == id)
        .expect("in queue")
        .clone();
    assert_eq!(mine["node"]["overdue"], false);
    app.clock.set(app.now + Duration::hours(5));
    let queue = app.data(&berg, QUEUE, json!({})).await;
    let edges = queue["doctorQueue"]["edges"].as_array().expect("edges");
    let position = edges.iter().position(|e| e["node"]["id"] == id).expect("in queue");
    assert_eq!(edges[position]["node"]["overdue"], true);
    assert!(edges[..position].iter().all(|e| e["node"]["overdue"] == true), "overdue first");
}

const MOVE: &str = "mutation($q: ID!) { moveQuestionToAgenda(questionId: $q) { id title addedAfterDeadline sourceQuestion { id status } meeting { status } } }";

async fn a_question_moves_to_the_next_agenda(app: TestApp) {
    let f = fixture(&app).await;
    let asked = app.data(&f.nurse, ASK, json!({ "i": question(&f, "ROUTINE") })).await;
    let id = asked["askQuestion"]["question"]["id"].clone();
    assert_eq!(error_code(&app.gql(Some(&f.nurse), MOVE, json!({ "q": id })).await), Some("FORBIDDEN"));
    let berg = app.login("laege.berg@demo.dk").await;
    let item = app.data(&berg, MOVE, json!({ "q": id })).await;
    let item = &item["moveQuestionToAgenda"];
    assert_eq!(item["sourceQuestion"]["id"], id);
    assert_eq!(item["sourceQuestion"]["status"], "ON_AGENDA");
    // The next meeting is the one whose agenda was already sent: the item is flagged late.
    assert_eq!(item["meeting"]["status"], "AGENDA_SENT");
    assert_eq!(item["addedAfterDeadline"], true);
    assert_eq!(error_code(&app.gql(Some(&berg), MOVE, json!({ "q": id })).await), Some("VALIDATION"), "only once");
}

const PUSHED_AGENDA: &str = "subscription { meetingEvents { kind meeting { id agendaItems { title resident { id } sourceQuestion { id } } } } }";
const DETACH: &str = "mutation($d: ID!, $c: ID!) { detachDoctor(doctorId: $d, careCentreId: $c) }";
const ATTACH: &str = "mutation($d: ID!, $c: ID!) { attachDoctor(doctorId: $d, careCentreId: $c) }";

/// A pushed meeting's nested fields resolve with the subscriber's scope when the socket opened
/// (DESIGN §4): a doctor detached from the centre then sees neither the resident nor the source
/// question of an agenda item there, although it is the question they were asked.
async fn a_detached_doctor_does_not_see_an_agenda_items_source_question(app: TestApp) {
    let f = fixture(&app).await;
    let mut asked = question(&f, "ROUTINE");
    asked["subject"] = json!("Til konferencen: faldrisiko");
    let asked = app.data(&f.nurse, ASK, json!({ "i": asked })).await;
    let id = asked["askQuestion"]["question"]["id"].clone();
    let berg = app.login("laege.berg@demo.dk").await;
    let moved = app
        .data(
            &berg,
            "mutation($q: ID!) { moveQuestionToAgenda(questionId: $q) { meeting { id } } }",
            json!({ "q": id }),
        )
        .await;
    let meeting = moved["moveQuestionToAgenda"]["meeting"]["id"].clone();
    let doctor = app.data(&berg, "{ me { doctor { id } } }", json!({})).await["me"]["doctor"]["id"].clone();
    let admin = app.login("admin@demo.dk").await;
    let attachment = json!({ "d": doctor, "c": f.centre });
    assert_eq!(app.data(&admin, DETACH, attachment.clone()).await["detachDoctor"], true);
    let mut detached = app.subscribe(&berg, PUSHED_AGENDA, json!({})).await;
    // Attached again, the doctor is sent the meeting's next event (scope read afresh per event).
    assert_eq!(app.data(&admin, ATTACH, attachment).await["attachDoctor"], true);
    let coordinator = app.login("koordinator.lindegaarden@demo.dk").await;
    app.data(&coordinator, "mutation($m: ID!) { cancelMeeting(meetingId: $m) { id } }", json!({ "m": meeting })).await;
    let event = detached.next(5).await.expect("the meeting event");
    let pushed = &event["data"]["meetingEvents"]["meeting"];
    assert_eq!(pushed["id"], meeting, "{event:#}");
    let items = pushed["agendaItems"].as_array().expect("agenda items");
    let item = items.iter().find(|i| i["title"] == "Til konferencen: faldrisiko").expect("the moved question's item");
    assert_eq!(item["resident"], Value::Null, "{event:#}");
    assert_eq!(item["sourceQuestion"], Value::Null, "{event:#}");
}

const SCHEDULE: &str = "mutation($i: ScheduleMeetingInput!) { scheduleMeeting(input: $i) { id agendaDeadline } }";
const PROPOSE_ITEM: &str =
    "mutation($i: ProposeAgendaItemInput!) { proposeAgendaItem(input: $i) { addedAfterDeadline } }";
const MOVE_TO: &str =
    "mutation($q: ID!, $m: ID) { moveQuestionToAgenda(questionId: $q, meetingId: $m) { addedAfterDeadline } }";

/// At the agenda deadline itself a question moved onto the agenda is late, as an item proposed
/// then is: both follow the one rule ("before the deadline" is strictly before).
async fn a_question_moved_at_the_agenda_deadline_is_late(app: TestApp) {
    let f = fixture(&app).await;
    let berg = app.login("laege.berg@demo.dk").await;
    let starts = app.now + Duration::hours(48);
    let input = json!({ "careCentreId": f.centre, "kind": "ADVISORY", "startsAt": starts.to_rfc3339(),
        "durationMinutes": 60, "location": "Mødelokalet" });
    let meeting = app.data(&berg, SCHEDULE, json!({ "i": input })).await["scheduleMeeting"].clone();
    let deadline: DateTime<Utc> = meeting["agendaDeadline"].as_str().expect("deadline").parse().expect("date");
    assert_eq!(deadline, app.now, "the clock stands at the agenda deadline");
    let item = json!({ "meetingId": meeting["id"], "topic": "OTHER", "title": "Status" });
    let proposed = app.data(&berg, PROPOSE_ITEM, json!({ "i": item })).await;
    assert_eq!(proposed["proposeAgendaItem"]["addedAfterDeadline"], true);
    let asked = app.data(&f.nurse, ASK, json!({ "i": question(&f, "ROUTINE") })).await;
    let id = asked["askQuestion"]["question"]["id"].clone();
    let moved = app.data(&berg, MOVE_TO, json!({ "q": id, "m": meeting["id"] })).await;
    assert_eq!(moved["moveQuestionToAgenda"]["addedAfterDeadline"], true);
}

const QUESTION_EVENTS: &str = "subscription { questionEvents { kind question { id subject status } } }";

async fn doctor_and_nurse_see_each_other_live(app: TestApp) {
    let f = fixture(&app).await;
    let berg = app.login("laege.berg@demo.dk").await;
    let hansen = app.login("laege.hansen@demo.dk").await;
    let mut doctor = app.subscribe(&berg, QUESTION_EVENTS, json!({})).await;
    let mut other_doctor = app.subscribe(&hansen, QUESTION_EVENTS, json!({})).await;
    let mut nurse = app.subscribe(&f.nurse, QUESTION_EVENTS, json!({})).await;
    let asked = app.data(&f.nurse, ASK, json!({ "i": question(&f, "ROUTINE") })).await;
    let id = asked["askQuestion"]["question"]["id"].clone();
    let event = doctor.next(5).await.expect("the doctor hears of it");
    assert_eq!(event["data"]["questionEvents"]["kind"], "ASKED");
    assert_eq!(event["data"]["questionEvents"]["question"]["id"], id);
    assert_eq!(nurse.next(5).await.expect("own ask")["data"]["questionEvents"]["kind"], "ASKED");
    app.data(&berg, ANSWER, json!({ "q": id, "b": "Jeg kommer i morgen." })).await;
    let event = nurse.next(5).await.expect("the nurse hears the answer");
    assert_eq!(event["data"]["questionEvents"]["kind"], "ANSWERED");
    assert_eq!(event["data"]["questionEvents"]["question"]["status"], "ANSWERED");
    assert!(other_doctor.next(1).await.is_none(), "not addressed to Hansen");
}

/// `CareCentre.questions`: staff see all of their centre's, general ones included, newest first;
/// a doctor only those addressed to them; another centre's nurse not the centre.
async fn a_centres_questions_for_staff_doctor_and_relative(app: TestApp) {
    const LIST: &str = "query($c: ID!, $s: [QuestionStatus!]) { careCentre(id: $c) { questions(status: $s, first: 100) { totalCount edges { node { id askedAt status resident { id } doctor { displayName } } } } } }";
    let f = fixture(&app).await;
    let mut general = question(&f, "ROUTINE");
    general["residentId"] = Value::Null;
    let asked = app.data(&f.nurse, ASK, json!({ "i": general })).await;
    let general_id = asked["askQuestion"]["question"]["id"].clone();
    let nodes = |data: &Value| -> Vec<Value> {
        data["careCentre"]["questions"]["edges"].as_array().expect("edges").iter().map(|e| e["node"].clone()).collect()
    };

    let all = nodes(&app.data(&f.nurse, LIST, json!({ "c": f.centre })).await);
    let stored = question::Entity::find().all(&app.db).await.expect("questions");
    let centre_uuid = stored
        .iter()
        .find(|q| q.resident_id.is_none() && q.subject == "Feber og forvirring")
        .expect("the general question")
        .care_centre_id;
    assert_eq!(all.len(), stored.iter().filter(|q| q.care_centre_id == centre_uuid).count(), "all of the centre's");
    assert!(all.iter().any(|q| q["id"] == general_id && q["resident"].is_null()), "the general question is listed");
    let asked_at: Vec<&str> = all.iter().filter_map(|q| q["askedAt"].as_str()).collect();
    assert!(asked_at.windows(2).all(|w| w[0] >= w[1]), "newest first: {asked_at:?}");

    let open = nodes(&app.data(&f.nurse, LIST, json!({ "c": f.centre, "s": ["OPEN"] })).await);
    assert!(!open.is_empty() && open.len() < all.len());
    assert!(open.iter().all(|q| q["status"] == "OPEN"));

    let berg = app.login("laege.berg@demo.dk").await;
    let addressed = nodes(&app.data(&berg, LIST, json!({ "c": f.centre })).await);
    assert!(!addressed.is_empty() && addressed.iter().all(|q| q["doctor"]["displayName"] == "Lise Berg"));

    let other_nurse = app.login("sygeplejerske.solhaven@demo.dk").await;
    let body = app.gql(Some(&other_nurse), LIST, json!({ "c": f.centre })).await;
    assert!(body["data"]["careCentre"].is_null() || error_code(&body) == Some("NOT_FOUND"), "{body:#}");
    assert!(!body.to_string().contains(general_id.as_str().expect("id")), "nothing of the other centre leaks");
}

backends!(
    urgent_needs_fresh_required_vitals_or_an_override,
    partial_vitals_are_listed_and_routine_is_never_refused,
    due_at_follows_the_agreement,
    asking_is_idempotent_and_for_staff_only,
    the_thread_answer_reply_and_close,
    overdue_questions_head_the_queue,
    a_question_moves_to_the_next_agenda,
    a_question_moved_at_the_agenda_deadline_is_late,
    doctor_and_nurse_see_each_other_live,
    a_centres_questions_for_staff_doctor_and_relative,
    a_detached_doctor_does_not_see_an_agenda_items_source_question,
);
