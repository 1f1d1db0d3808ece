//! Meetings, agendas and time (DESIGN §5 "Agenda deadline", "Advisory time"): scheduling, the
//! agenda deadline per role, the automatic send exactly once, minutes with their time entry,
//! cancelling, logged time in the report, and the relatives' care conferences.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Duration, NaiveDate, Utc};
use entities::enums::{MeetingStatus, TimeEntryKind};
use entities::{agenda_item, collaboration_agreement, meeting, meeting_invitation, time_entry};
use plejelink::events::{Event, EventBus, Events, MeetingEventKind};
use plejelink::services::meetings::send_due_agendas;
use plejelink_tests::{Backend, TestApp, backends, error_code, uuid_of};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use serde_json::{Value, json};
use std::collections::HashSet;
use uuid::Uuid;

const NURSE_S: &str = "sygeplejerske.solhaven@demo.dk";
const NURSE_L: &str = "sygeplejerske.lindegaarden@demo.dk";
const COORD_S: &str = "koordinator.solhaven@demo.dk";
const COORD_L: &str = "koordinator.lindegaarden@demo.dk";
const HANSEN: &str = "laege.hansen@demo.dk";
const BERG: &str = "laege.berg@demo.dk";
const RELATIVE: &str = "paaroerende@demo.dk";
const OTHER_RELATIVE: &str = "paaroerende2@demo.dk";
const ADMIN: &str = "admin@demo.dk";

const SCHEDULE: &str = "mutation($i: ScheduleMeetingInput!) { scheduleMeeting(input: $i) { id kind status startsAt durationMinutes location version agendaDeadline doctor { displayName } careCentre { name } } }";
const PROPOSE: &str = "mutation($i: ProposeAgendaItemInput!) { proposeAgendaItem(input: $i) { id title description topic position addedAfterDeadline resident { id } proposedBy { displayName } meeting { id version } } }";
const SEND: &str = "mutation($m: ID!) { sendAgenda(meetingId: $m) { id status agendaSentAt version } }";
const MINUTES: &str = "mutation($i: RecordMeetingMinutesInput!) { recordMeetingMinutes(input: $i) { id status minutes attendees heldAt version agendaItems { id outcome } } }";
const CANCEL: &str = "mutation($m: ID!) { cancelMeeting(meetingId: $m) { id status cancelledAt version } }";
const LOG: &str =
    "mutation($i: LogTimeInput!) { logTime(input: $i) { id kind workDate minutes note doctor { displayName } } }";
const REPORT: &str = "query($c: ID!, $m: String!) { advisoryTimeReport(careCentreId: $c, month: $m) { advisoryMinutes individualMinutes entries { id minutes kind } } }";
const MEETING: &str = "query($id: ID!) { meeting(id: $id) { id status kind version agendaSentAt agendaItems { id } } }";
const EVENTS: &str = "subscription($c: ID) { meetingEvents(careCentreId: $c) { kind meeting { id status } } }";

struct Fixture {
    solhaven: Value,
    lindegaarden: Value,
    coordinator: String,
    hansen: String,
}

/// Centre ids by name, as the admin sees them, and the Solhaven coordinator and Dr Hansen logged in.
async fn fixture(app: &TestApp) -> Fixture {
    let admin = app.login(ADMIN).await;
    let data = app.data(&admin, "{ careCentres { id name } }", json!({})).await;
    let find = |name: &str| {
        data["careCentres"].as_array().expect("list").iter().find(|c| c["name"] == name).expect(name)["id"].clone()
    };
    Fixture {
        solhaven: find("Plejecenter Solhaven"),
        lindegaarden: find("Plejecenter Lindegården"),
        coordinator: app.login(COORD_S).await,
        hansen: app.login(HANSEN).await,
    }
}

/// 10:00 UTC (11:00 or 12:00 in Copenhagen, the same date) `days` after the test's "now".
fn at_ten(app: &TestApp, days: i64) -> DateTime<Utc> {
    (app.now.date_naive() + Duration::days(days)).and_hms_opt(10, 0, 0).expect("time").and_utc()
}

fn time(value: &Value) -> DateTime<Utc> {
    value.as_str().unwrap_or_else(|| panic!("a time: {value}")).parse().expect("RFC 3339")
}

fn field(body: &Value) -> &str {
    body["errors"][0]["extensions"]["field"].as_str().unwrap_or_default()
}

fn advisory(centre: &Value, starts_at: DateTime<Utc>) -> Value {
    json!({
        "careCentreId": centre, "kind": "ADVISORY", "startsAt": starts_at.to_rfc3339(),
        "durationMinutes": 60, "location": "Mødelokalet",
    })
}

async fn schedule(app: &TestApp, token: &str, input: Value) -> Value {
    app.data(token, SCHEDULE, json!({ "i": input })).await["scheduleMeeting"].clone()
}

fn item(meeting: &Value, title: &str) -> Value {
    json!({ "meetingId": meeting, "topic": "PAIN_MANAGEMENT", "title": title, "description": "Smerteskema ved demens" })
}

async fn user_id(app: &TestApp, email: &str) -> Value {
    let token = app.login(email).await;
    app.data(&token, "{ me { user { id } } }", json!({})).await["me"]["user"]["id"].clone()
}

async fn meetings_stored(app: &TestApp) -> u64 {
    meeting::Entity::find().count(&app.db).await.expect("count")
}

async fn items_of(app: &TestApp, meeting: &Value) -> u64 {
    agenda_item::Entity::find()
        .filter(agenda_item::Column::MeetingId.eq(uuid_of(meeting)))
        .count(&app.db)
        .await
        .expect("count")
}

async fn entries_of(app: &TestApp, meeting: &Value) -> Vec<time_entry::Model> {
    time_entry::Entity::find()
        .filter(time_entry::Column::MeetingId.eq(uuid_of(meeting)))
        .all(&app.db)
        .await
        .expect("query")
}

async fn report(app: &TestApp, token: &str, centre: &Value, month: &str) -> (i64, i64) {
    let data = app.data(token, REPORT, json!({ "c": centre, "m": month })).await;
    let report = &data["advisoryTimeReport"];
    (report["advisoryMinutes"].as_i64().expect("advisory"), report["individualMinutes"].as_i64().expect("individual"))
}

fn month_of(date: NaiveDate) -> String {
    date.format("%Y-%m").to_string()
}

async fn scheduling_rules(app: TestApp) {
    let f = fixture(&app).await;
    let starts = at_ten(&app, 7);
    let meeting = schedule(&app, &f.coordinator, advisory(&f.solhaven, starts)).await;
    assert_eq!(meeting["status"], "PLANNED");
    assert_eq!(meeting["version"], 1);
    assert_eq!(meeting["doctor"]["displayName"], "Peter Hansen", "the centre's doctor by default");
    assert_eq!(meeting["careCentre"]["name"], "Plejecenter Solhaven");
    assert_eq!(time(&meeting["startsAt"]), starts);
    assert_eq!(time(&meeting["agendaDeadline"]), starts - Duration::hours(48));
    assert_eq!(meeting["location"], "Mødelokalet");

    // A doctor's meeting defaults to themselves; Berg shares Lindegården with Hansen.
    let berg = app.login(BERG).await;
    let theirs = schedule(&app, &berg, advisory(&f.lindegaarden, starts)).await;
    assert_eq!(theirs["doctor"]["displayName"], "Lise Berg");
    let admin = app.login(ADMIN).await;
    let doctors = app
        .data(
            &admin,
            "query($c: ID!) { careCentre(id: $c) { doctors { id displayName } } }",
            json!({ "c": f.lindegaarden }),
        )
        .await;
    let berg_id = doctors["careCentre"]["doctors"]
        .as_array()
        .expect("doctors")
        .iter()
        .find(|d| d["displayName"] == "Lise Berg")
        .expect("Berg")["id"]
        .clone();
    let coordinator_l = app.login(COORD_L).await;
    let mut chosen = advisory(&f.lindegaarden, starts);
    chosen["doctorId"] = berg_id.clone();
    assert_eq!(schedule(&app, &coordinator_l, chosen).await["doctor"]["displayName"], "Lise Berg");

    let before = meetings_stored(&app).await;
    // Roles that may never schedule.
    for email in [NURSE_S, RELATIVE, ADMIN] {
        let token = app.login(email).await;
        let body = app.gql(Some(&token), SCHEDULE, json!({ "i": advisory(&f.solhaven, starts) })).await;
        assert_eq!(error_code(&body), Some("FORBIDDEN"), "{email}: {body:#}");
    }
    // Centres out of scope.
    let body = app.gql(Some(&f.coordinator), SCHEDULE, json!({ "i": advisory(&f.lindegaarden, starts) })).await;
    assert_eq!(error_code(&body), Some("NOT_FOUND"), "{body:#}");
    let body = app.gql(Some(&berg), SCHEDULE, json!({ "i": advisory(&f.solhaven, starts) })).await;
    assert_eq!(error_code(&body), Some("NOT_FOUND"), "{body:#}");
    // Validation, field by field.
    let cases = [
        ("startsAt", json!((app.now - Duration::minutes(1)).to_rfc3339())),
        ("startsAt", json!((app.now + Duration::days(800)).to_rfc3339())),
        ("durationMinutes", json!(4)),
        ("durationMinutes", json!(481)),
        ("location", json!("   ")),
        ("doctorId", berg_id.clone()),
        ("invitedRelativeIds", json!([user_id(&app, RELATIVE).await])),
    ];
    for (name, value) in cases {
        let mut input = advisory(&f.solhaven, starts);
        input[name] = value;
        let body = app.gql(Some(&f.coordinator), SCHEDULE, json!({ "i": input })).await;
        assert_eq!(error_code(&body), Some("VALIDATION"), "{name}: {body:#}");
        assert_eq!(field(&body), name, "{body:#}");
    }
    assert_eq!(meetings_stored(&app).await, before, "nothing stored after a refused schedule");
}

async fn care_conferences_invite_relatives(app: TestApp) {
    let f = fixture(&app).await;
    let relative = user_id(&app, RELATIVE).await;
    let nurse = user_id(&app, NURSE_S).await;
    let conference = |centre: &Value, invited: Value| {
        json!({
            "careCentreId": centre, "kind": "CARE_CONFERENCE", "startsAt": at_ten(&app, 12).to_rfc3339(),
            "durationMinutes": 45, "location": "Stuen", "invitedRelativeIds": invited,
        })
    };
    let before = meetings_stored(&app).await;
    let invitations = meeting_invitation::Entity::find().count(&app.db).await.expect("count");
    // Only relatives linked to a resident of the centre; one bad id refuses all of it.
    for (token, centre, invited) in [
        (&f.coordinator, &f.solhaven, json!([relative, nurse])),
        (&f.coordinator, &f.solhaven, json!([relative, f.solhaven])),
        (&app.login(COORD_L).await, &f.lindegaarden, json!([relative])),
    ] {
        let body = app.gql(Some(token), SCHEDULE, json!({ "i": conference(centre, invited) })).await;
        assert_eq!(error_code(&body), Some("VALIDATION"), "{body:#}");
        assert_eq!(field(&body), "invitedRelativeIds");
    }
    assert_eq!(meetings_stored(&app).await, before, "no meeting");
    assert_eq!(meeting_invitation::Entity::find().count(&app.db).await.expect("count"), invitations, "no invitation");

    let meeting = schedule(&app, &f.coordinator, conference(&f.solhaven, json!([relative, relative]))).await;
    assert_eq!(meeting["kind"], "CARE_CONFERENCE");
    let rows = meeting_invitation::Entity::find()
        .filter(meeting_invitation::Column::MeetingId.eq(uuid_of(&meeting["id"])))
        .all(&app.db)
        .await
        .expect("query");
    assert_eq!(rows.len(), 1, "one invitation per relative");
    assert_eq!(rows[0].relative_user_id, uuid_of(&relative));

    // The invited relative sees it; the other relative of the same centre does not.
    let invited = app.login(RELATIVE).await;
    let data = app.data(&invited, MEETING, json!({ "id": meeting["id"] })).await;
    assert_eq!(data["meeting"]["kind"], "CARE_CONFERENCE");
    let list = app.data(&invited, "{ meetings(first: 50) { edges { node { id } } } }", json!({})).await;
    let ids: Vec<&Value> =
        list["meetings"]["edges"].as_array().expect("edges").iter().map(|e| &e["node"]["id"]).collect();
    assert!(ids.contains(&&meeting["id"]), "{list:#}");
    let other = app.login(OTHER_RELATIVE).await;
    let body = app.gql(Some(&other), MEETING, json!({ "id": meeting["id"] })).await;
    assert_eq!(error_code(&body), Some("NOT_FOUND"), "{body:#}");
}

async fn agenda_deadline_per_role(app: TestApp) {
    let f = fixture(&app).await;
    let nurse = app.login(NURSE_S).await;
    let starts = at_ten(&app, 5);
    let deadline = starts - Duration::hours(48);
    let meeting = schedule(&app, &f.coordinator, advisory(&f.solhaven, starts)).await;
    let id = &meeting["id"];

    // Before the deadline everyone adds, in order.
    let first = app.data(&nurse, PROPOSE, json!({ "i": item(id, "Smerter") })).await["proposeAgendaItem"].clone();
    assert_eq!(first["addedAfterDeadline"], false);
    assert_eq!(first["position"], 1);
    assert_eq!(first["topic"], "PAIN_MANAGEMENT");
    assert_eq!(first["description"], "Smerteskema ved demens");
    assert_eq!(first["meeting"]["version"], 2, "the agenda is part of the meeting");
    app.clock.set(deadline - Duration::minutes(1));
    let second =
        app.data(&f.hansen, PROPOSE, json!({ "i": item(id, "Urinprøver") })).await["proposeAgendaItem"].clone();
    assert_eq!((second["addedAfterDeadline"].clone(), second["position"].clone()), (json!(false), json!(2)));
    let third =
        app.data(&nurse, PROPOSE, json!({ "i": item(id, "Sidste øjeblik") })).await["proposeAgendaItem"].clone();
    assert_eq!((third["addedAfterDeadline"].clone(), third["position"].clone()), (json!(false), json!(3)));

    // At and after the deadline nurses are refused and nothing is stored.
    for at in [deadline, deadline + Duration::hours(1)] {
        app.clock.set(at);
        let body = app.gql(Some(&nurse), PROPOSE, json!({ "i": item(id, "For sent") })).await;
        assert_eq!(error_code(&body), Some("VALIDATION"), "{body:#}");
        assert_eq!(field(&body), "meetingId");
        let message = body["errors"][0]["message"].as_str().unwrap_or_default();
        assert!(message.contains("deadline passed"), "{message}");
        assert_eq!(items_of(&app, id).await, 3, "nothing stored");
    }
    // The coordinator and the doctor still add, flagged.
    let late = app.data(&f.coordinator, PROPOSE, json!({ "i": item(id, "Akut") })).await["proposeAgendaItem"].clone();
    assert_eq!((late["addedAfterDeadline"].clone(), late["position"].clone()), (json!(true), json!(4)));
    let later = app.data(&f.hansen, PROPOSE, json!({ "i": item(id, "Også akut") })).await["proposeAgendaItem"].clone();
    assert_eq!(later["addedAfterDeadline"], true);
    assert_eq!(later["proposedBy"]["displayName"], "Peter Hansen");

    // A sent agenda is closed to nurses even before the deadline; later items are flagged.
    app.clock.set(app.now);
    let other = schedule(&app, &f.coordinator, advisory(&f.solhaven, at_ten(&app, 10))).await;
    let sent = app.data(&f.coordinator, SEND, json!({ "m": other["id"] })).await["sendAgenda"].clone();
    assert_eq!(sent["status"], "AGENDA_SENT");
    assert_eq!(time(&sent["agendaSentAt"]), app.now);
    assert_eq!(sent["version"], 2);
    let body = app.gql(Some(&nurse), PROPOSE, json!({ "i": item(&other["id"], "For sent") })).await;
    assert_eq!((error_code(&body), field(&body)), (Some("VALIDATION"), "meetingId"), "{body:#}");
    let flagged = app.data(&f.hansen, PROPOSE, json!({ "i": item(&other["id"], "Sen") })).await;
    assert_eq!(flagged["proposeAgendaItem"]["addedAfterDeadline"], true);
    // Sending again changes nothing.
    let again = app.data(&f.hansen, SEND, json!({ "m": other["id"] })).await["sendAgenda"].clone();
    assert_eq!((again["agendaSentAt"].clone(), again["version"].clone()), (sent["agendaSentAt"].clone(), json!(3)));
}

async fn agenda_items_are_checked(app: TestApp) {
    let f = fixture(&app).await;
    let meeting = schedule(&app, &f.coordinator, advisory(&f.solhaven, at_ten(&app, 6))).await;
    let id = &meeting["id"];
    let residents = |centre: &Value| {
        let centre = centre.clone();
        let app = &app;
        let token = f.hansen.clone();
        async move {
            let q = "query($c: ID!) { residents(careCentreId: $c, first: 1) { edges { node { id } } } }";
            app.data(&token, q, json!({ "c": centre })).await["residents"]["edges"][0]["node"]["id"].clone()
        }
    };
    let here = residents(&f.solhaven).await;
    let elsewhere = residents(&f.lindegaarden).await;
    let mut about = item(id, "Beboer");
    about["residentId"] = here.clone();
    let data = app.data(&f.coordinator, PROPOSE, json!({ "i": about })).await;
    assert_eq!(data["proposeAgendaItem"]["resident"]["id"], here);

    let mut wrong = item(id, "Beboer");
    wrong["residentId"] = elsewhere;
    let body = app.gql(Some(&f.hansen), PROPOSE, json!({ "i": wrong })).await;
    assert_eq!((error_code(&body), field(&body)), (Some("VALIDATION"), "residentId"), "{body:#}");
    let body = app.gql(Some(&f.coordinator), PROPOSE, json!({ "i": item(id, "  ") })).await;
    assert_eq!((error_code(&body), field(&body)), (Some("VALIDATION"), "title"), "{body:#}");
    let body = app.gql(Some(&app.login(NURSE_L).await), PROPOSE, json!({ "i": item(id, "Andet center") })).await;
    assert_eq!(error_code(&body), Some("NOT_FOUND"), "{body:#}");
    for email in [RELATIVE, ADMIN] {
        let body = app.gql(Some(&app.login(email).await), PROPOSE, json!({ "i": item(id, "Nej") })).await;
        assert_eq!(error_code(&body), Some("FORBIDDEN"), "{email}: {body:#}");
    }
    assert_eq!(items_of(&app, id).await, 1, "only the accepted item");

    // Held and cancelled meetings take no items, from anyone.
    let held = meeting::Entity::find()
        .filter(meeting::Column::Status.eq(MeetingStatus::Held))
        .one(&app.db)
        .await
        .expect("query")
        .expect("a held demo meeting");
    let held_id = json!(URL_SAFE_NO_PAD.encode(format!("Meeting:{}", held.id)));
    let cancelled = app.data(&f.coordinator, CANCEL, json!({ "m": id })).await["cancelMeeting"]["id"].clone();
    for meeting in [held_id, cancelled] {
        let body = app.gql(Some(&f.hansen), PROPOSE, json!({ "i": item(&meeting, "For sent") })).await;
        assert_eq!((error_code(&body), field(&body)), (Some("VALIDATION"), "meetingId"), "{body:#}");
    }
}

async fn agenda_deadline_follows_the_agreement(app: TestApp) {
    let f = fixture(&app).await;
    let starts = at_ten(&app, 5);
    let meeting = schedule(&app, &f.coordinator, advisory(&f.solhaven, starts)).await;
    // Solhaven agrees with Dr Hansen on 24 hours instead of 48.
    collaboration_agreement::Entity::update_many()
        .col_expr(collaboration_agreement::Column::AgendaDeadlineHours, Expr::value(24))
        .filter(collaboration_agreement::Column::CareCentreId.eq(uuid_of(&f.solhaven)))
        .exec(&app.db)
        .await
        .expect("update");
    let data = app
        .data(
            &f.coordinator,
            MEETING.replace("version", "version agendaDeadline").as_str(),
            json!({ "id": meeting["id"] }),
        )
        .await;
    assert_eq!(time(&data["meeting"]["agendaDeadline"]), starts - Duration::hours(24));
    let nurse = app.login(NURSE_S).await;
    app.clock.set(starts - Duration::hours(30));
    let ok = app.data(&nurse, PROPOSE, json!({ "i": item(&meeting["id"], "I tide") })).await;
    assert_eq!(ok["proposeAgendaItem"]["addedAfterDeadline"], false);
    // The automatic send waits for the agreed deadline too (the demo's own meetings may be due
    // by then, depending on today's weekday: only this meeting counts).
    let events = Events::new(EventBus::new(), app.db.clone());
    send_due_agendas(&app.db, &events, starts - Duration::hours(30)).await.expect("send");
    let stored = meeting::Entity::find_by_id(uuid_of(&meeting["id"])).one(&app.db).await.expect("query");
    assert_eq!(stored.expect("the meeting").agenda_sent_at, None, "sent before the agreed deadline");
    app.clock.set(starts - Duration::hours(23));
    let body = app.gql(Some(&nurse), PROPOSE, json!({ "i": item(&meeting["id"], "For sent") })).await;
    assert_eq!(error_code(&body), Some("VALIDATION"), "{body:#}");
    let flagged = app.data(&f.coordinator, PROPOSE, json!({ "i": item(&meeting["id"], "Sen") })).await;
    assert_eq!(flagged["proposeAgendaItem"]["addedAfterDeadline"], true);
}

/// Collects the events published through an [`Events`] of the test: from its bus on SQLite, and
/// through `LISTEN` on PostgreSQL, where publishing is a `NOTIFY`.
struct EventTap {
    bus: tokio::sync::broadcast::Receiver<Event>,
    listener: Option<sea_orm::sqlx::postgres::PgListener>,
}

impl EventTap {
    async fn new(app: &TestApp, bus: &EventBus) -> Self {
        let listener = match app.backend {
            Backend::Sqlite => None,
            Backend::Postgres => {
                let pool = app.db.get_postgres_connection_pool();
                let mut listener = sea_orm::sqlx::postgres::PgListener::connect_with(pool).await.expect("listener");
                listener.listen("plejelink_events").await.expect("LISTEN");
                Some(listener)
            }
        };
        Self { bus: bus.subscribe(), listener }
    }

    /// Every AGENDA_SENT event until none came for `quiet`.
    async fn agendas_sent(&mut self, quiet: std::time::Duration) -> Vec<Uuid> {
        let mut sent = Vec::new();
        loop {
            let next = match &mut self.listener {
                Some(listener) => tokio::time::timeout(quiet, listener.recv())
                    .await
                    .ok()
                    .map(|n| serde_json::from_str::<Event>(n.expect("notification").payload()).expect("event")),
                None => tokio::time::timeout(quiet, self.bus.recv()).await.ok().map(|e| e.expect("event")),
            };
            match next {
                Some(Event::MeetingChanged { meeting, kind: MeetingEventKind::AgendaSent, .. }) => sent.push(meeting),
                Some(_) => {}
                None => return sent,
            }
        }
    }
}

async fn planned_count(app: &TestApp) -> u64 {
    meeting::Entity::find().filter(meeting::Column::Status.eq(MeetingStatus::Planned)).count(&app.db).await.expect("q")
}

async fn agendas_go_out_at_the_deadline_exactly_once(app: TestApp) {
    let f = fixture(&app).await;
    let coordinator_l = app.login(COORD_L).await;
    let mut scheduled = Vec::new();
    for days in 3..=8 {
        scheduled.push(schedule(&app, &f.coordinator, advisory(&f.solhaven, at_ten(&app, days))).await);
        scheduled.push(schedule(&app, &coordinator_l, advisory(&f.lindegaarden, at_ten(&app, days))).await);
    }
    let bus = EventBus::new();
    let events = Events::new(bus.clone(), app.db.clone());
    let mut tap = EventTap::new(&app, &bus).await;
    let quiet = std::time::Duration::from_millis(1500);

    // Nothing is due before a deadline; at the deadline of the two earliest meetings, those go.
    assert_eq!(send_due_agendas(&app.db, &events, at_ten(&app, 1) - Duration::seconds(1)).await.expect("run"), 0);
    assert_eq!(send_due_agendas(&app.db, &events, at_ten(&app, 1)).await.expect("run"), 2);
    let first: HashSet<Uuid> = tap.agendas_sent(quiet).await.into_iter().collect();
    let expected: HashSet<Uuid> = scheduled[..2].iter().map(|m| uuid_of(&m["id"])).collect();
    assert_eq!(first, expected);
    let row = meeting::Entity::find_by_id(uuid_of(&scheduled[0]["id"])).one(&app.db).await.expect("q").expect("row");
    assert_eq!((row.status, row.agenda_sent_at, row.version), (MeetingStatus::AgendaSent, Some(at_ten(&app, 1)), 2));
    assert_eq!(row.updated_at, at_ten(&app, 1));

    // Two instances at the same moment, far ahead: every PLANNED meeting goes, each exactly once.
    let due = planned_count(&app).await as usize;
    assert!(due >= 10, "the rest of ours and the demo's: {due}");
    let later = app.now + Duration::days(30);
    let barrier = std::sync::Arc::new(tokio::sync::Barrier::new(2));
    let runs: Vec<_> = (0..2)
        .map(|_| {
            let (db, events, barrier) = (app.db.clone(), events.clone(), barrier.clone());
            tokio::spawn(async move {
                barrier.wait().await;
                send_due_agendas(&db, &events, later).await.expect("run")
            })
        })
        .collect();
    let mut total = 0;
    for run in runs {
        total += run.await.expect("task");
    }
    assert_eq!(total, due, "together they sent each agenda once");
    assert_eq!(planned_count(&app).await, 0);
    let announced = tap.agendas_sent(quiet).await;
    let distinct: HashSet<Uuid> = announced.iter().copied().collect();
    assert_eq!((announced.len(), distinct.len()), (due, due), "one event per meeting");
    assert!(distinct.is_disjoint(&first));
    let versions: Vec<i32> = meeting::Entity::find()
        .filter(meeting::Column::Id.is_in(distinct.iter().copied()))
        .all(&app.db)
        .await
        .expect("q")
        .into_iter()
        .map(|m| m.version)
        .collect();
    assert!(versions.iter().all(|v| *v == 2), "updated once: {versions:?}");
    // Nothing left to do.
    assert_eq!(send_due_agendas(&app.db, &events, later).await.expect("run"), 0);
    assert!(tap.agendas_sent(std::time::Duration::from_millis(500)).await.is_empty());
}

/// The server sends due agendas by itself (every second in tests) and the doctor hears of it.
async fn agendas_go_out_when_no_one_asks(app: TestApp) {
    let f = fixture(&app).await;
    let planned = meeting::Entity::find()
        .filter(meeting::Column::Status.eq(MeetingStatus::Planned))
        .filter(meeting::Column::CareCentreId.eq(uuid_of(&f.solhaven)))
        .filter(meeting::Column::Kind.eq(entities::enums::MeetingKind::Advisory))
        .one(&app.db)
        .await
        .expect("q")
        .expect("the demo's planned meeting");
    let mut doctor = app.subscribe(&f.hansen, EVENTS, json!({ "c": f.solhaven })).await;
    app.clock.set(planned.starts_at - Duration::hours(47));
    let event = doctor.next(45).await.expect("the agenda went out within a period");
    assert_eq!(event["data"]["meetingEvents"]["kind"], "AGENDA_SENT", "{event:#}");
    assert_eq!(uuid_of(&event["data"]["meetingEvents"]["meeting"]["id"]), planned.id);
    assert_eq!(event["data"]["meetingEvents"]["meeting"]["status"], "AGENDA_SENT");
}

async fn minutes_record_the_doctors_time_once(app: TestApp) {
    let f = fixture(&app).await;
    let day = app.now.date_naive() + Duration::days(3);
    let month = month_of(day);
    let kinds = [
        ("ADVISORY", 75, Some(TimeEntryKind::GeneralAdvisory)),
        ("EXPECTATION_ALIGNMENT", 50, Some(TimeEntryKind::GeneralAdvisory)),
        ("EVALUATION", 40, Some(TimeEntryKind::GeneralAdvisory)),
        ("RESIDENT_REVIEW", 90, Some(TimeEntryKind::IndividualTreatment)),
        ("CARE_CONFERENCE", 45, None),
    ];
    let mut meetings = Vec::new();
    for (i, (kind, minutes, _)) in kinds.iter().enumerate() {
        let starts = day.and_hms_opt(8 + 2 * i as u32, 0, 0).expect("time").and_utc();
        let input = json!({
            "careCentreId": f.solhaven, "kind": kind, "startsAt": starts.to_rfc3339(),
            "durationMinutes": minutes, "location": "Mødelokalet",
        });
        meetings.push(schedule(&app, &f.coordinator, input).await);
    }
    let advisory_meeting = &meetings[0]["id"];
    let agenda = app.data(&f.coordinator, PROPOSE, json!({ "i": item(advisory_meeting, "Smerter") })).await;
    let agenda_item = agenda["proposeAgendaItem"]["id"].clone();
    let minutes = |meeting: &Value, text: &str| json!({ "meetingId": meeting, "minutes": text, "attendees": ["Peter Hansen", "Koordinator"] });

    // Not before the meeting's day; nothing changes.
    let body = app.gql(Some(&f.hansen), MINUTES, json!({ "i": minutes(advisory_meeting, "For tidligt") })).await;
    assert_eq!((error_code(&body), field(&body)), (Some("VALIDATION"), "meetingId"), "{body:#}");
    assert!(entries_of(&app, advisory_meeting).await.is_empty());

    let held_at = day.and_hms_opt(20, 0, 0).expect("time").and_utc();
    app.clock.set(held_at);
    let (advisory_before, individual_before) = report(&app, &f.coordinator, &f.solhaven, &month).await;
    // Refusals first: roles, scope, fields; none of them writes.
    let nurse = app.login(NURSE_S).await;
    let body = app.gql(Some(&nurse), MINUTES, json!({ "i": minutes(advisory_meeting, "Referat") })).await;
    assert_eq!(error_code(&body), Some("FORBIDDEN"), "{body:#}");
    for email in [COORD_L, BERG] {
        let token = app.login(email).await;
        let body = app.gql(Some(&token), MINUTES, json!({ "i": minutes(advisory_meeting, "Referat") })).await;
        assert_eq!(error_code(&body), Some("NOT_FOUND"), "{email}: {body:#}");
    }
    let body = app.gql(Some(&f.hansen), MINUTES, json!({ "i": minutes(advisory_meeting, " ") })).await;
    assert_eq!((error_code(&body), field(&body)), (Some("VALIDATION"), "minutes"), "{body:#}");
    let mut foreign = minutes(&meetings[3]["id"], "Referat");
    foreign["outcomes"] = json!([{ "agendaItemId": agenda_item, "outcome": "Besluttet" }]);
    let body = app.gql(Some(&f.hansen), MINUTES, json!({ "i": foreign })).await;
    assert_eq!((error_code(&body), field(&body)), (Some("VALIDATION"), "outcomes"), "{body:#}");
    for meeting in &meetings {
        assert!(entries_of(&app, &meeting["id"]).await.is_empty(), "no time entry after a refusal");
        let row = meeting::Entity::find_by_id(uuid_of(&meeting["id"])).one(&app.db).await.expect("q").expect("row");
        assert_ne!(row.status, MeetingStatus::Held, "the automatic send may have run, nothing else");
        assert!(row.minutes.is_none() && row.held_at.is_none());
    }

    // Each kind records its time entry, in the same write as the minutes.
    for (meeting, (kind, duration, entry_kind)) in meetings.iter().zip(kinds) {
        let mut input = minutes(&meeting["id"], "Gennemgået");
        if meeting["id"] == *advisory_meeting {
            input["outcomes"] = json!([{ "agendaItemId": agenda_item, "outcome": "Ny instruks" }]);
        }
        // The background sender may have sent the agenda meanwhile (a version bump of its own).
        let before = meeting::Entity::find_by_id(uuid_of(&meeting["id"])).one(&app.db).await.expect("q").expect("row");
        let held = app.data(&f.hansen, MINUTES, json!({ "i": input })).await["recordMeetingMinutes"].clone();
        assert_eq!(held["status"], "HELD", "{kind}");
        assert_eq!(time(&held["heldAt"]), held_at);
        assert_eq!(held["attendees"], json!(["Peter Hansen", "Koordinator"]));
        let after = meeting::Entity::find_by_id(uuid_of(&meeting["id"])).one(&app.db).await.expect("q").expect("row");
        assert!(i64::from(before.version) < held["version"].as_i64().expect("v"), "{kind}: the version moves");
        assert_eq!(held["version"], i64::from(after.version), "{kind}: the answer is the stored row");
        let entries = entries_of(&app, &meeting["id"]).await;
        match entry_kind {
            None => assert!(entries.is_empty(), "{kind} records no time"),
            Some(expected) => {
                assert_eq!(entries.len(), 1, "{kind}");
                let entry = &entries[0];
                assert_eq!((entry.kind, entry.minutes, entry.work_date), (expected, duration, day), "{kind}");
                assert_eq!(entry.care_centre_id, uuid_of(&f.solhaven));
                let hansen = app.data(&f.hansen, "{ me { doctor { id } } }", json!({})).await;
                assert_eq!(entry.doctor_id, uuid_of(&hansen["me"]["doctor"]["id"]));
            }
        }
    }
    let held = app
        .data(
            &f.hansen,
            MEETING.replace("agendaItems { id }", "agendaItems { id outcome }").as_str(),
            json!({ "id": advisory_meeting }),
        )
        .await;
    assert_eq!(held["meeting"]["agendaItems"][0]["outcome"], "Ny instruks");
    let (advisory_after, individual_after) = report(&app, &f.coordinator, &f.solhaven, &month).await;
    assert_eq!(advisory_after - advisory_before, 75 + 50 + 40);
    assert_eq!(individual_after - individual_before, 90);

    // Recording again corrects the minutes in place: no second time entry, held time kept.
    app.clock.set(held_at + Duration::hours(1));
    let version = app.data(&f.hansen, MEETING, json!({ "id": advisory_meeting })).await["meeting"]["version"].clone();
    let mut stale = minutes(advisory_meeting, "Forkert");
    stale["expectedVersion"] = json!(version.as_i64().expect("v") - 1);
    let body = app.gql(Some(&f.coordinator), MINUTES, json!({ "i": stale })).await;
    assert_eq!(error_code(&body), Some("CONFLICT"), "{body:#}");
    let mut fresh = minutes(advisory_meeting, "Rettet referat");
    fresh["expectedVersion"] = version.clone();
    fresh["attendees"] = json!(["Peter Hansen"]);
    let corrected = app.data(&f.coordinator, MINUTES, json!({ "i": fresh })).await["recordMeetingMinutes"].clone();
    assert_eq!(corrected["minutes"], "Rettet referat");
    assert_eq!(corrected["attendees"], json!(["Peter Hansen"]));
    assert_eq!(time(&corrected["heldAt"]), held_at, "held when first recorded");
    assert_eq!(corrected["version"], version.as_i64().expect("v") + 1);
    assert_eq!(corrected["agendaItems"][0]["outcome"], "Ny instruks", "outcomes not named are kept");
    assert_eq!(entries_of(&app, advisory_meeting).await.len(), 1, "still one time entry");
    assert_eq!(report(&app, &f.coordinator, &f.solhaven, &month).await, (advisory_after, individual_after));

    // Two recordings at once of a meeting not yet held: one time entry.
    app.clock.set(app.now);
    let racing = schedule(&app, &f.coordinator, advisory(&f.solhaven, at_ten(&app, 2))).await;
    // Sent now, so the background sender does not change the meeting during the race.
    app.data(&f.coordinator, SEND, json!({ "m": racing["id"] })).await;
    app.clock.set(at_ten(&app, 2) + Duration::hours(2));
    let (a, b) = tokio::join!(
        app.gql(Some(&f.hansen), MINUTES, json!({ "i": minutes(&racing["id"], "Først") })),
        app.gql(Some(&f.coordinator), MINUTES, json!({ "i": minutes(&racing["id"], "Samtidig") })),
    );
    let codes: Vec<Option<&str>> = vec![error_code(&a), error_code(&b)];
    assert!(codes.iter().all(|c| c.is_none() || *c == Some("CONFLICT")), "{a:#} {b:#}");
    assert!(codes.contains(&None), "one went through: {a:#} {b:#}");
    assert_eq!(entries_of(&app, &racing["id"]).await.len(), 1, "one time entry");

    // A cancelled meeting has no minutes.
    app.clock.set(app.now);
    let cancelled = schedule(&app, &f.coordinator, advisory(&f.solhaven, at_ten(&app, 1))).await;
    app.data(&f.coordinator, CANCEL, json!({ "m": cancelled["id"] })).await;
    app.clock.set(at_ten(&app, 1) + Duration::hours(2));
    let body = app.gql(Some(&f.hansen), MINUTES, json!({ "i": minutes(&cancelled["id"], "Referat") })).await;
    assert_eq!((error_code(&body), field(&body)), (Some("VALIDATION"), "meetingId"), "{body:#}");
    assert!(entries_of(&app, &cancelled["id"]).await.is_empty());
}

async fn cancelling_and_its_events(app: TestApp) {
    let f = fixture(&app).await;
    let mut listening = app.subscribe(&f.hansen, EVENTS, json!({ "c": f.solhaven })).await;
    let meeting = schedule(&app, &f.coordinator, advisory(&f.solhaven, at_ten(&app, 4))).await;
    let event = listening.next(5).await.expect("scheduled");
    assert_eq!(event["data"]["meetingEvents"]["kind"], "SCHEDULED", "{event:#}");

    let nurse = app.login(NURSE_S).await;
    let body = app.gql(Some(&nurse), CANCEL, json!({ "m": meeting["id"] })).await;
    assert_eq!(error_code(&body), Some("FORBIDDEN"), "{body:#}");
    let body = app.gql(Some(&app.login(COORD_L).await), CANCEL, json!({ "m": meeting["id"] })).await;
    assert_eq!(error_code(&body), Some("NOT_FOUND"), "{body:#}");
    let body = app.gql(Some(&nurse), SEND, json!({ "m": meeting["id"] })).await;
    assert_eq!(error_code(&body), Some("FORBIDDEN"), "{body:#}");

    let cancelled = app.data(&f.hansen, CANCEL, json!({ "m": meeting["id"] })).await["cancelMeeting"].clone();
    assert_eq!(cancelled["status"], "CANCELLED");
    assert_eq!(time(&cancelled["cancelledAt"]), app.now);
    assert_eq!(cancelled["version"], 2);
    let event = listening.next(5).await.expect("cancelled");
    assert_eq!(event["data"]["meetingEvents"]["kind"], "CANCELLED", "{event:#}");
    // Again: harmless, unchanged, no event.
    let again = app.data(&f.coordinator, CANCEL, json!({ "m": meeting["id"] })).await["cancelMeeting"].clone();
    assert_eq!((again["status"].clone(), again["version"].clone()), (json!("CANCELLED"), json!(2)));
    assert!(listening.next(1).await.is_none(), "nothing new");
    // A cancelled meeting's agenda is not sent; a held meeting is not cancelled.
    let body = app.gql(Some(&f.coordinator), SEND, json!({ "m": meeting["id"] })).await;
    assert_eq!((error_code(&body), field(&body)), (Some("VALIDATION"), "meetingId"), "{body:#}");
    let held = meeting::Entity::find()
        .filter(meeting::Column::Status.eq(MeetingStatus::Held))
        .filter(meeting::Column::CareCentreId.eq(uuid_of(&f.solhaven)))
        .one(&app.db)
        .await
        .expect("q")
        .expect("held");
    let held_id = json!(URL_SAFE_NO_PAD.encode(format!("Meeting:{}", held.id)));
    let body = app.gql(Some(&f.coordinator), CANCEL, json!({ "m": held_id })).await;
    assert_eq!((error_code(&body), field(&body)), (Some("VALIDATION"), "meetingId"), "{body:#}");
    let row = meeting::Entity::find_by_id(held.id).one(&app.db).await.expect("q").expect("row");
    assert_eq!((row.status, row.version), (MeetingStatus::Held, held.version), "unchanged");

    // Sending and recording minutes are announced too.
    // (A day ahead, so that moving the clock to it makes no other agenda due.)
    let other = schedule(&app, &f.coordinator, advisory(&f.solhaven, at_ten(&app, 1))).await;
    assert_eq!(listening.next(5).await.expect("scheduled")["data"]["meetingEvents"]["kind"], "SCHEDULED");
    app.data(&f.coordinator, SEND, json!({ "m": other["id"] })).await;
    assert_eq!(listening.next(5).await.expect("sent")["data"]["meetingEvents"]["kind"], "AGENDA_SENT");
    app.data(&f.coordinator, SEND, json!({ "m": other["id"] })).await;
    assert!(listening.next(1).await.is_none(), "sending again announces nothing");
    app.clock.set(at_ten(&app, 1) + Duration::hours(1));
    let input = json!({ "meetingId": other["id"], "minutes": "Referat", "attendees": [] });
    app.data(&f.hansen, MINUTES, json!({ "i": input })).await;
    let event = listening.next(5).await.expect("minutes");
    assert_eq!(event["data"]["meetingEvents"]["kind"], "MINUTES_RECORDED");
    assert_eq!(event["data"]["meetingEvents"]["meeting"]["status"], "HELD");
}

async fn logged_time_counts_in_the_report(app: TestApp) {
    let f = fixture(&app).await;
    let day = app.now.date_naive() - Duration::days(1);
    let month = month_of(day);
    let entry = |centre: &Value, kind: &str, minutes: i64| json!({ "careCentreId": centre, "kind": kind, "workDate": day.to_string(), "minutes": minutes, "note": "Telefonrådgivning" });
    let stored = || async { time_entry::Entity::find().count(&app.db).await.expect("count") };
    let before = stored().await;
    for email in [COORD_S, NURSE_S, RELATIVE, ADMIN] {
        let token = app.login(email).await;
        let body = app.gql(Some(&token), LOG, json!({ "i": entry(&f.solhaven, "GENERAL_ADVISORY", 30) })).await;
        assert_eq!(error_code(&body), Some("FORBIDDEN"), "{email}: {body:#}");
    }
    let berg = app.login(BERG).await;
    let body = app.gql(Some(&berg), LOG, json!({ "i": entry(&f.solhaven, "GENERAL_ADVISORY", 30) })).await;
    assert_eq!(error_code(&body), Some("NOT_FOUND"), "not attached: {body:#}");
    let lindegaarden_meeting = schedule(&app, &berg, advisory(&f.lindegaarden, at_ten(&app, 3))).await;
    let cases = [
        ("minutes", json!(0)),
        ("minutes", json!(721)),
        ("workDate", json!((app.now.date_naive() + Duration::days(2)).to_string())),
        ("workDate", json!((app.now.date_naive() - Duration::days(400)).to_string())),
        ("meetingId", lindegaarden_meeting["id"].clone()),
    ];
    for (name, value) in cases {
        let mut input = entry(&f.solhaven, "GENERAL_ADVISORY", 30);
        input[name] = value;
        let body = app.gql(Some(&f.hansen), LOG, json!({ "i": input })).await;
        assert_eq!((error_code(&body), field(&body)), (Some("VALIDATION"), name), "{body:#}");
    }
    assert_eq!(stored().await, before, "nothing stored after a refusal");

    let (advisory_before, individual_before) = report(&app, &f.hansen, &f.solhaven, &month).await;
    let logged =
        app.data(&f.hansen, LOG, json!({ "i": entry(&f.solhaven, "GENERAL_ADVISORY", 45) })).await["logTime"].clone();
    assert_eq!(logged["kind"], "GENERAL_ADVISORY");
    assert_eq!((logged["minutes"].clone(), logged["workDate"].clone()), (json!(45), json!(day.to_string())));
    assert_eq!(logged["note"], "Telefonrådgivning");
    assert_eq!(logged["doctor"]["displayName"], "Peter Hansen");
    app.data(&f.hansen, LOG, json!({ "i": entry(&f.solhaven, "INDIVIDUAL_TREATMENT", 20) })).await;
    let (advisory_after, individual_after) = report(&app, &f.hansen, &f.solhaven, &month).await;
    assert_eq!((advisory_after - advisory_before, individual_after - individual_before), (45, 20));
    // The coordinator's report of the centre shows the same; Berg's time elsewhere does not count here.
    assert_eq!(report(&app, &f.coordinator, &f.solhaven, &month).await, (advisory_after, individual_after));
    app.data(&berg, LOG, json!({ "i": entry(&f.lindegaarden, "GENERAL_ADVISORY", 60) })).await;
    assert_eq!(report(&app, &f.coordinator, &f.solhaven, &month).await, (advisory_after, individual_after));
    let data = app.data(&f.hansen, REPORT, json!({ "c": f.solhaven, "m": month })).await;
    let ids: Vec<&Value> =
        data["advisoryTimeReport"]["entries"].as_array().expect("entries").iter().map(|e| &e["id"]).collect();
    assert!(ids.contains(&&logged["id"]), "{data:#}");
    // Time may name a meeting of the same centre.
    let mut with_meeting = entry(&f.lindegaarden, "GENERAL_ADVISORY", 15);
    with_meeting["meetingId"] = lindegaarden_meeting["id"].clone();
    app.data(&f.hansen, LOG, json!({ "i": with_meeting })).await;
    assert_eq!(entries_of(&app, &lindegaarden_meeting["id"]).await.len(), 1);
}

backends!(
    scheduling_rules,
    care_conferences_invite_relatives,
    agenda_deadline_per_role,
    agenda_items_are_checked,
    agenda_deadline_follows_the_agreement,
    agendas_go_out_at_the_deadline_exactly_once,
    agendas_go_out_when_no_one_asks,
    minutes_record_the_doctors_time_once,
    cancelling_and_its_events,
    logged_time_counts_in_the_report,
);
