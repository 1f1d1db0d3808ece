//! The access log: one row per resident touched per request (reads, writes, denials), written
//! with the write or before the answer leaves, append-only and hash-chained.

use entities::audit_event;
use plejelink::audit::{Verification, verify};
use plejelink_tests::{Backend, TestApp, backends, error_code, error_codes, uuid_of};
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, Statement,
};
use serde_json::{Value, json};
use std::collections::{BTreeSet, HashMap};

const NURSE_S: &str = "sygeplejerske.solhaven@demo.dk";

async fn first_resident(app: &TestApp, token: &str) -> (Value, uuid::Uuid) {
    let centres = app.data(token, "{ careCentres { id } }", json!({})).await;
    let data = app
        .data(
            token,
            "query($c: ID!) { residents(careCentreId: $c, first: 1) { edges { node { id fullName } } } }",
            json!({ "c": centres["careCentres"][0]["id"] }),
        )
        .await;
    let id = data["residents"]["edges"][0]["node"]["id"].clone();
    let name = data["residents"]["edges"][0]["node"]["fullName"].as_str().expect("name").to_owned();
    let resident = entities::resident::Entity::find()
        .filter(entities::resident::Column::FullName.eq(name))
        .one(&app.db)
        .await
        .expect("q")
        .expect("resident");
    (id, resident.id)
}

async fn rows(app: &TestApp, resident: uuid::Uuid) -> Vec<audit_event::Model> {
    audit_event::Entity::find()
        .filter(audit_event::Column::ResidentId.eq(resident))
        .order_by_asc(audit_event::Column::Seq)
        .all(&app.db)
        .await
        .expect("q")
}

async fn reads_writes_and_denials_are_logged(app: TestApp) {
    let nurse = app.login(NURSE_S).await;
    let (id, uuid) = first_resident(&app, &nurse).await;
    let before = rows(&app, uuid).await.len();
    app.data(&nurse, "query Beboer($id: ID!) { resident(id: $id) { fullName } }", json!({ "id": id })).await;
    let logged = rows(&app, uuid).await;
    let read = logged.last().expect("a row");
    assert_eq!(logged.len(), before + 1, "one row per resident per request");
    assert_eq!((read.action.as_str(), read.outcome.as_str(), read.actor_role.as_str()), ("READ", "ALLOWED", "NURSE"));
    assert_eq!(read.operation_name.as_deref(), Some("Beboer"));

    let other = app.login("sygeplejerske.lindegaarden@demo.dk").await;
    let body = app.gql(Some(&other), "query($id: ID!) { resident(id: $id) { fullName } }", json!({ "id": id })).await;
    assert_eq!(error_code(&body), Some("NOT_FOUND"));
    let denied = rows(&app, uuid).await.last().cloned().expect("a row");
    assert_eq!((denied.action.as_str(), denied.outcome.as_str()), ("READ", "DENIED"));

    let record = "mutation($i: RecordObservationInput!) { recordObservation(input: $i) { observation { id } } }";
    let input = |pulse: i32| json!({ "i": { "clientMutationId": uuid::Uuid::new_v4().to_string(), "residentId": id, "recordedAt": app.now.to_rfc3339(), "pulse": pulse } });
    let writes = |rows: &[audit_event::Model]| rows.iter().filter(|r| r.action == "WRITE").count();
    let before = writes(&rows(&app, uuid).await);
    app.data(&nurse, record, input(80)).await;
    assert_eq!(writes(&rows(&app, uuid).await), before + 1);
    let refused = app.gql(Some(&nurse), record, input(900)).await;
    assert_eq!(error_code(&refused), Some("VALIDATION"));
    assert_eq!(writes(&rows(&app, uuid).await), before + 1, "a refused write writes no WRITE row");
}

async fn a_roster_page_logs_each_resident_once(app: TestApp) {
    let nurse = app.login(NURSE_S).await;
    let before = audit_event::Entity::find().count(&app.db).await.expect("count");
    let centres = app.data(&nurse, "{ careCentres { id } }", json!({})).await;
    app.data(
        &nurse,
        "query($c: ID!) { residents(careCentreId: $c, first: 5) { edges { node { id latestObservation { id } } } } }",
        json!({ "c": centres["careCentres"][0]["id"] }),
    )
    .await;
    let after = audit_event::Entity::find().count(&app.db).await.expect("count");
    assert_eq!(after - before, 5);
}

async fn the_chain_is_append_only_and_verifiable(app: TestApp) {
    let nurse = app.login(NURSE_S).await;
    let (id, _) = first_resident(&app, &nurse).await;
    for _ in 0..3 {
        app.data(&nurse, "query($id: ID!) { resident(id: $id) { room } }", json!({ "id": id })).await;
    }
    let Verification::Intact { rows } = verify(&app.db).await.expect("verify") else { panic!("intact chain") };
    assert!(rows >= 4);
    let backend = app.db.get_database_backend();
    let exec = |sql: &str| app.db.execute_raw(Statement::from_string(backend, sql.to_owned()));
    assert!(exec("UPDATE audit_events SET outcome = 'DENIED' WHERE seq = 2").await.is_err(), "no updates");
    assert!(exec("DELETE FROM audit_events WHERE seq = 2").await.is_err(), "no deletes");
    // Someone with the database's owner rights disables the guard and edits a row: the chain shows it.
    match app.backend {
        Backend::Sqlite => exec("DROP TRIGGER audit_events_no_update").await.expect("drop trigger"),
        Backend::Postgres => {
            exec("ALTER TABLE audit_events DISABLE TRIGGER audit_events_no_update").await.expect("disable")
        }
    };
    exec("UPDATE audit_events SET outcome = 'DENIED' WHERE seq = 2").await.expect("tamper");
    assert_eq!(verify(&app.db).await.expect("verify"), Verification::Broken { seq: 2, reason: "row altered" });
}

/// Concurrent reads are appended in groups (one transaction for the requests waiting for the
/// append lock); every request still gets exactly its own rows, through two instances and between
/// writes, and the chain stays gapless.
async fn concurrent_reads_each_get_their_rows_in_one_chain(app: TestApp) {
    let second = app.spawn_instance().await;
    let nurse = app.login(NURSE_S).await;
    let coordinator = app.login("koordinator.solhaven@demo.dk").await;
    let centres = app.data(&nurse, "{ careCentres { id } }", json!({})).await;
    let page = json!({ "c": centres["careCentres"][0]["id"] });
    let roster = "query Vagtliste($c: ID!) { residents(careCentreId: $c, first: 5) { edges { node { id } } } }";
    let first = app.data(&nurse, roster, page.clone()).await;
    let resident = first["residents"]["edges"][0]["node"]["id"].clone();
    let before = audit_event::Entity::find().count(&app.db).await.expect("count");

    let client = reqwest::Client::new();
    let reads = (0..40).map(|i| {
        let address = if i % 3 == 0 { second.clone() } else { app.address.clone() };
        let token = if i % 2 == 0 { &nurse } else { &coordinator };
        let request = client
            .post(format!("{address}/graphql"))
            .bearer_auth(token)
            .header("x-request-id", format!("gruppe-{i}"))
            .json(&json!({ "query": roster, "variables": page }));
        async move { request.send().await.expect("send").json::<Value>().await.expect("JSON") }
    });
    let record = "mutation($i: RecordObservationInput!) { recordObservation(input: $i) { observation { id } } }";
    let writes = (0..5).map(|_| {
        let input = json!({ "i": { "clientMutationId": uuid::Uuid::new_v4().to_string(), "residentId": resident, "recordedAt": app.now.to_rfc3339(), "pulse": 72 } });
        app.gql(Some(&nurse), record, input)
    });
    let (reads, writes) = tokio::join!(futures_util::future::join_all(reads), futures_util::future::join_all(writes));
    for body in reads.iter().chain(&writes) {
        assert!(body.get("errors").is_none(), "{body:#}");
    }

    let logged = audit_event::Entity::find()
        .filter(audit_event::Column::Seq.gt(i64::try_from(before).expect("count")))
        .order_by_asc(audit_event::Column::Seq)
        .all(&app.db)
        .await
        .expect("rows");
    let (reads, writes): (Vec<_>, Vec<_>) = logged.iter().partition(|row| row.request_id.starts_with("gruppe-"));
    assert_eq!(reads.len(), 40 * 5, "five rows per read");
    for i in 0..40 {
        let own: Vec<_> = logged.iter().filter(|row| row.request_id == format!("gruppe-{i}")).collect();
        let role = if i % 2 == 0 { "NURSE" } else { "COORDINATOR" };
        assert_eq!(own.len(), 5, "request {i}: {own:?}");
        assert!(own.iter().all(|row| row.actor_role == role && row.action == "READ"), "request {i}: {own:?}");
        assert!(own.iter().all(|row| row.operation_name.as_deref() == Some("Vagtliste")), "request {i}");
        let residents: BTreeSet<_> = own.iter().map(|row| row.resident_id).collect();
        assert_eq!(residents.len(), 5, "request {i}: each resident once");
    }
    let write_requests: BTreeSet<_> = writes.iter().map(|row| &row.request_id).collect();
    assert_eq!(write_requests.len(), 5);
    for request in write_requests {
        let written = writes.iter().filter(|row| &row.request_id == request && row.action == "WRITE").count();
        assert_eq!(written, 1, "one WRITE row per write request");
    }
    let Verification::Intact { rows } = verify(&app.db).await.expect("verify") else { panic!("intact chain") };
    assert_eq!(rows, before + u64::try_from(logged.len()).expect("count"), "a gapless chain");
}

const LOG: &str = "query($id: ID!) { resident(id: $id) { accessLog(first: 50) { totalCount edges { node { at action outcome actorRole actor { displayName role } } } } } }";

async fn access_log_is_for_coordinator_admin_and_relative(app: TestApp) {
    let relative = app.login("paaroerende@demo.dk").await;
    let me = app.data(&relative, "{ me { residents { id } } }", json!({})).await;
    let id = me["me"]["residents"][0]["id"].clone();
    let nurse = app.login(NURSE_S).await;
    app.data(&nurse, "query($id: ID!) { resident(id: $id) { room } }", json!({ "id": id })).await;
    for email in ["koordinator.solhaven@demo.dk", "admin@demo.dk", "paaroerende@demo.dk"] {
        let token = app.login(email).await;
        let data = app.data(&token, LOG, json!({ "id": id })).await;
        let entries = data["resident"]["accessLog"]["edges"].as_array().expect("edges").clone();
        assert!(
            entries.iter().any(|e| e["node"]["actorRole"] == "NURSE" && e["node"]["actor"]["displayName"].is_string()),
            "{email} sees that a nurse looked: {data:#}"
        );
    }
    for email in [NURSE_S, "laege.hansen@demo.dk"] {
        let token = app.login(email).await;
        assert_eq!(error_code(&app.gql(Some(&token), LOG, json!({ "id": id })).await), Some("FORBIDDEN"), "{email}");
    }
}

/// The demo logins the table asks with: every role, and staff and a doctor of the other centre.
const LOGINS: [&str; 8] = [
    "admin@demo.dk",
    "koordinator.solhaven@demo.dk",
    "koordinator.lindegaarden@demo.dk",
    NURSE_S,
    "sygeplejerske.lindegaarden@demo.dk",
    "laege.hansen@demo.dk",
    "laege.berg@demo.dk",
    RELATIVE,
];
const RELATIVE: &str = "paaroerende@demo.dk";

type Row = (uuid::Uuid, String, String);

/// Sends a request under its own `x-request-id`; returns the answer and the rows it wrote.
async fn send(app: &TestApp, token: Option<&str>, query: &str, variables: Value) -> (Value, BTreeSet<Row>) {
    let (request_id, body) = app.gql_traced(token, query, variables).await;
    let rows = audit_event::Entity::find()
        .filter(audit_event::Column::RequestId.eq(&request_id))
        .all(&app.db)
        .await
        .expect("rows");
    let set: BTreeSet<Row> =
        rows.iter().map(|r| (r.resident_id.expect("a resident"), r.action.clone(), r.outcome.clone())).collect();
    assert_eq!(set.len(), rows.len(), "one row per resident, action and outcome: {rows:#?}");
    (body, set)
}

fn expect(residents: &BTreeSet<uuid::Uuid>, action: &str, outcome: &str) -> BTreeSet<Row> {
    residents.iter().map(|r| (*r, action.to_owned(), outcome.to_owned())).collect()
}

/// The fields of each type in the exported schema, with the type each returns (named type only).
fn schema_fields() -> HashMap<String, Vec<(String, String)>> {
    let sdl = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../api/schema.graphql")).expect("schema");
    let mut types = HashMap::new();
    let mut current: Option<(String, Vec<(String, String)>)> = None;
    let mut in_doc = false;
    for line in sdl.lines() {
        let trimmed = line.trim();
        if trimmed.starts_with("\"\"\"") {
            in_doc ^= !(trimmed.len() > 3 && trimmed.ends_with("\"\"\""));
            continue;
        }
        if in_doc {
            continue;
        }
        if let Some(rest) = line.strip_prefix("type ") {
            current = Some((rest.split([' ', '{']).next().expect("name").to_owned(), Vec::new()));
        } else if line.starts_with('}') {
            if let Some((name, fields)) = current.take() {
                types.insert(name, fields);
            }
        } else if let Some((_, fields)) = current.as_mut()
            && let Some(end) = trimmed.find(['(', ':'])
        {
            let ty = trimmed.rsplit(':').next().expect("type").trim_matches(|c: char| !c.is_alphanumeric());
            fields.push((trimmed[..end].to_owned(), ty.to_owned()));
        }
    }
    types
}

/// How the table reaches one type's fields: a query with `{field}` for the field's selection,
/// its variables, and the residents an allowed and a refused answer are about.
struct Reach {
    query: &'static str,
    variables: Value,
    residents: BTreeSet<uuid::Uuid>,
}

/// The table (DESIGN §7; issue 14, point 6): every field listed in `RESIDENT_DATA`, asked by every
/// demo login, writes exactly the rows its answer deserves: one `READ`/`ALLOWED` row per resident
/// when it answers (none for a field that is not the resident's data), one `READ`/`DENIED` per
/// resident when it is refused (`NOT_FOUND`/`FORBIDDEN`). Each field is answered to some login and
/// refused to another.
async fn every_field_reaching_a_resident_logs_one_row_per_resident(app: TestApp) {
    use entities::{agenda_item, care_plan, observation, question};
    use plejelink::ids::{Kind, encode};
    use plejelink::services::access::{Logged, RESIDENT_DATA};
    let schema = schema_fields();
    let mut tokens = Vec::new();
    for email in LOGINS {
        tokens.push((email, app.login(email).await));
    }
    let relative = &tokens[7].1;
    let me = app.data(relative, "{ me { residents { id } } }", json!({})).await;
    let resident = uuid_of(&me["me"]["residents"][0]["id"]);
    let one = BTreeSet::from([resident]);
    let by_resident = |query: &'static str| Reach {
        query,
        variables: json!({ "id": encode(Kind::Resident, resident) }),
        residents: one.clone(),
    };
    let obs = observation::Entity::find()
        .filter(observation::Column::ResidentId.eq(resident))
        .one(&app.db)
        .await
        .expect("q")
        .expect("an observation of the relative's resident");
    let asked = question::Entity::find()
        .filter(question::Column::ResidentId.is_not_null())
        .one(&app.db)
        .await
        .expect("q")
        .expect("a question about a resident");
    let plan = care_plan::Entity::find().one(&app.db).await.expect("q").expect("a care plan");
    let item = agenda_item::Entity::find()
        .filter(agenda_item::Column::ResidentId.is_not_null())
        .one(&app.db)
        .await
        .expect("q")
        .expect("an agenda item about a resident");
    let items = agenda_item::Entity::find()
        .filter(agenda_item::Column::MeetingId.eq(item.meeting_id))
        .all(&app.db)
        .await
        .expect("items");
    let reach = |ty: &str| -> Reach {
        match ty {
            "Resident" => by_resident("query T($id: ID!) { resident(id: $id) { {field} } }"),
            "Medication" => {
                by_resident("query T($id: ID!) { resident(id: $id) { medications(includeStopped: true) { {field} } } }")
            }
            "MedicationReview" => {
                by_resident("query T($id: ID!) { resident(id: $id) { medicationReviews { {field} } } }")
            }
            "ResuscitationDecision" => {
                by_resident("query T($id: ID!) { resident(id: $id) { resuscitationHistory { {field} } } }")
            }
            "RelativeLink" => by_resident("query T($id: ID!) { resident(id: $id) { relatives { {field} } } }"),
            "Observation" => Reach {
                query: "query T($id: ID!) { node(id: $id) { ... on Observation { {field} } } }",
                variables: json!({ "id": encode(Kind::Observation, obs.id) }),
                residents: BTreeSet::from([obs.resident_id]),
            },
            "Question" => Reach {
                query: "query T($id: ID!) { question(id: $id) { {field} } }",
                variables: json!({ "id": encode(Kind::Question, asked.id) }),
                residents: asked.resident_id.into_iter().collect(),
            },
            "CarePlan" => Reach {
                query: "query T($id: ID!) { node(id: $id) { ... on CarePlan { {field} } } }",
                variables: json!({ "id": encode(Kind::CarePlan, plan.id) }),
                residents: BTreeSet::from([plan.resident_id]),
            },
            "AgendaItem" => Reach {
                query: "query T($id: ID!) { meeting(id: $id) { agendaItems { id {field} } } }",
                variables: json!({ "id": encode(Kind::Meeting, item.meeting_id) }),
                residents: items.iter().filter_map(|i| i.resident_id).collect(),
            },
            other => panic!("no way to reach {other} in the table"),
        }
    };
    let mut walked = 0;
    for (ty, fields) in RESIDENT_DATA {
        if *ty == "Viewer" {
            continue; // `Viewer.residents`: see the `login` and `me` scenario.
        }
        let how = reach(ty);
        let in_schema = &schema[*ty];
        for (field, logged) in *fields {
            let returns = &in_schema.iter().find(|(name, _)| name == field).expect("listed fields are in the schema").1;
            let selection = match schema.get(returns) {
                Some(fields) if fields.iter().any(|(name, _)| name == "id") => format!("{field} {{ id }}"),
                Some(_) => format!("{field} {{ __typename }}"),
                None => (*field).to_owned(),
            };
            let query = how.query.replace("{field}", &selection);
            let (mut answered, mut refused) = (0, 0);
            for (email, token) in &tokens {
                let (body, rows) = send(&app, Some(token), &query, how.variables.clone()).await;
                let codes = error_codes(&body);
                let expected = if codes.is_empty() {
                    answered += 1;
                    let residents = if *ty == "AgendaItem" {
                        agenda_residents(&body, &items, field, *logged)
                    } else if *logged == Logged::NotResidentData {
                        BTreeSet::new()
                    } else {
                        how.residents.clone()
                    };
                    expect(&residents, "READ", "ALLOWED")
                } else {
                    assert!(codes.iter().all(|c| c == "NOT_FOUND" || c == "FORBIDDEN"), "{ty}.{field} {email}: {body}");
                    refused += 1;
                    expect(&how.residents, "READ", "DENIED")
                };
                assert_eq!(rows, expected, "{ty}.{field} asked by {email}: {body}");
            }
            assert!(answered > 0 && refused > 0, "{ty}.{field}: answered {answered}, refused {refused}");
            walked += 1;
        }
    }
    assert!(walked > 100, "walked {walked} fields");
}

/// The residents an answered `meeting { agendaItems { id <field> } }` carries data about: each
/// item's resident for its text, the resident or question it answers with otherwise.
fn agenda_residents(
    body: &Value,
    items: &[entities::agenda_item::Model],
    field: &str,
    logged: plejelink::services::access::Logged,
) -> BTreeSet<uuid::Uuid> {
    use plejelink::services::access::Logged;
    let answered = body["data"]["meeting"]["agendaItems"].as_array().expect("items");
    let mut residents = BTreeSet::new();
    for entry in answered {
        let item = items.iter().find(|i| i.id == uuid_of(&entry["id"])).expect("an item of the meeting");
        let carries = match field {
            _ if logged == Logged::NotResidentData => false,
            "resident" | "sourceQuestion" => !entry[field].is_null(),
            _ => true,
        };
        if carries {
            residents.extend(item.resident_id);
        }
    }
    residents
}

/// Rows of the request, with who wrote them.
async fn actors(app: &TestApp, residents: &BTreeSet<uuid::Uuid>) -> BTreeSet<(uuid::Uuid, String)> {
    let rows = audit_event::Entity::find()
        .filter(audit_event::Column::ResidentId.is_in(residents.iter().copied()))
        .order_by_desc(audit_event::Column::Seq)
        .limit(u64::try_from(residents.len()).expect("count"))
        .all(&app.db)
        .await
        .expect("rows");
    rows.into_iter().map(|r| (r.actor_id.expect("actor"), r.actor_role)).collect()
}

/// The `login` answer's `viewer.residents` (name, room, date of birth) and a relative's
/// `me.residents` carry the relative's residents: each writes one `READ`/`ALLOWED` row per
/// resident, as the relative (the `login` request has no viewer yet: the user it signed in).
async fn login_and_me_log_the_residents_they_carry(app: TestApp) {
    let login = "mutation Login($e: String!, $p: String!) { login(email: $e, password: $p) { viewer { residents { id fullName room dateOfBirth } } } }";
    let (body, rows) = send(&app, None, login, json!({ "e": RELATIVE, "p": plejelink::demo::DEMO_PASSWORD })).await;
    let carried: BTreeSet<_> = body["data"]["login"]["viewer"]["residents"]
        .as_array()
        .expect("residents")
        .iter()
        .map(|r| uuid_of(&r["id"]))
        .collect();
    assert!(!carried.is_empty(), "{body}");
    assert_eq!(rows, expect(&carried, "READ", "ALLOWED"), "login: {body}");
    let relative = entities::user::Entity::find()
        .filter(entities::user::Column::Email.eq(RELATIVE))
        .one(&app.db)
        .await
        .expect("q")
        .expect("the relative");
    assert_eq!(actors(&app, &carried).await, BTreeSet::from([(relative.id, "RELATIVE".to_owned())]));

    let token = app.login(RELATIVE).await;
    let (body, rows) = send(&app, Some(&token), "{ me { residents { fullName } } }", json!({})).await;
    assert_eq!(rows, expect(&carried, "READ", "ALLOWED"), "me: {body}");
    // Logins without residents in their answer log nothing.
    let (body, rows) = send(&app, None, login, json!({ "e": NURSE_S, "p": plejelink::demo::DEMO_PASSWORD })).await;
    assert!(body.get("errors").is_none(), "{body}");
    assert_eq!(rows, BTreeSet::new());
}

/// One request that reads a resident's roster entry and is refused a clinical field logs two rows,
/// `READ`/`ALLOWED` and `READ`/`DENIED`; the refused field alone logs only `READ`/`DENIED`.
async fn an_allowed_and_a_refused_read_in_one_request_log_both(app: TestApp) {
    use plejelink::ids::{Kind, encode};
    let relative = app.login(RELATIVE).await;
    let me = app.data(&relative, "{ me { residents { id } } }", json!({})).await;
    let id = me["me"]["residents"][0]["id"].clone();
    let resident = BTreeSet::from([uuid_of(&id)]);
    let both = "query($id: ID!) { resident(id: $id) { fullName latestObservation { id } } }";
    let (body, rows) = send(&app, Some(&relative), both, json!({ "id": id })).await;
    assert!(body["data"]["resident"]["fullName"].is_string(), "{body}");
    assert_eq!(error_code(&body), Some("NOT_FOUND"));
    let mut expected = expect(&resident, "READ", "ALLOWED");
    expected.extend(expect(&resident, "READ", "DENIED"));
    assert_eq!(rows, expected);
    let refused = "query($id: ID!) { resident(id: $id) { medications { name } } }";
    let (body, rows) = send(&app, Some(&relative), refused, json!({ "id": id })).await;
    assert_eq!(error_code(&body), Some("NOT_FOUND"));
    assert_eq!(rows, expect(&resident, "READ", "DENIED"));
    // A doctor attached to the centre who is not the resident's GP.
    let (doctor, not_his) = doctor_and_not_their_gp_resident(&app).await;
    let (body, rows) = send(&app, Some(&doctor), refused, json!({ "id": encode(Kind::Resident, not_his) })).await;
    assert_eq!(error_code(&body), Some("NOT_FOUND"));
    assert_eq!(rows, expect(&BTreeSet::from([not_his]), "READ", "DENIED"));
}

/// Dr Hansen's token and a resident of a centre he is attached to whose GP is someone else.
async fn doctor_and_not_their_gp_resident(app: &TestApp) -> (String, uuid::Uuid) {
    let user = entities::user::Entity::find()
        .filter(entities::user::Column::Email.eq("laege.hansen@demo.dk"))
        .one(&app.db)
        .await
        .expect("q")
        .expect("Dr Hansen");
    let hansen = entities::doctor::Entity::find()
        .filter(entities::doctor::Column::UserId.eq(user.id))
        .one(&app.db)
        .await
        .expect("q")
        .expect("Dr Hansen's doctor profile");
    let not_his = entities::resident::Entity::find()
        .filter(entities::resident::Column::GpDoctorId.ne(hansen.id))
        .one(&app.db)
        .await
        .expect("q")
        .expect("a resident whose GP is someone else");
    (app.login("laege.hansen@demo.dk").await, not_his.id)
}

/// Writes on a resident: an allowed one logs one `WRITE`/`ALLOWED` row (not also a read for its
/// lookup); a refused one logs one `WRITE`/`DENIED` row, whether it is refused for the role
/// (`FORBIDDEN` before any lookup), for the resident (`NOT_FOUND`) or after the lookup
/// (`FORBIDDEN`: a doctor who is not the GP). A resident that does not exist gets no row, and the
/// answer is the same as for one that does.
async fn refused_writes_are_logged_as_refused_writes(app: TestApp) {
    use plejelink::ids::{Kind, encode};
    let relative = app.login(RELATIVE).await;
    let me = app.data(&relative, "{ me { residents { id } } }", json!({})).await;
    let id = me["me"]["residents"][0]["id"].clone();
    let resident = BTreeSet::from([uuid_of(&id)]);
    let record = "mutation($i: RecordObservationInput!) { recordObservation(input: $i) { observation { id } } }";
    let input = |resident: &Value| json!({ "i": { "clientMutationId": uuid::Uuid::new_v4().to_string(), "residentId": resident, "recordedAt": app.now.to_rfc3339(), "pulse": 80 } });

    let nurse = app.login(NURSE_S).await;
    let (body, rows) = send(&app, Some(&nurse), record, input(&id)).await;
    assert!(body.get("errors").is_none(), "{body}");
    assert_eq!(rows, expect(&resident, "WRITE", "ALLOWED"), "an allowed write");

    let (forbidden, rows) = send(&app, Some(&relative), record, input(&id)).await;
    assert_eq!(error_code(&forbidden), Some("FORBIDDEN"));
    assert_eq!(rows, expect(&resident, "WRITE", "DENIED"), "refused for the role");

    let other = app.login("sygeplejerske.lindegaarden@demo.dk").await;
    let (body, rows) = send(&app, Some(&other), record, input(&id)).await;
    assert_eq!(error_code(&body), Some("NOT_FOUND"));
    assert_eq!(rows, expect(&resident, "WRITE", "DENIED"), "refused for the resident");

    let nobody = encode(Kind::Resident, uuid::Uuid::now_v7());
    let (unknown, rows) = send(&app, Some(&relative), record, input(&json!(nobody))).await;
    assert_eq!(unknown, forbidden, "the same answer for a resident that does not exist");
    assert_eq!(rows, BTreeSet::new(), "no row for a resident that does not exist");

    // A doctor attached to the centre but not the resident's GP adds a medication: FORBIDDEN after the lookup.
    let (doctor, not_his) = doctor_and_not_their_gp_resident(&app).await;
    let add = "mutation($i: AddMedicationInput!) { addMedication(input: $i) { id } }";
    let medication = json!({ "i": { "residentId": encode(Kind::Resident, not_his), "name": "Paracetamol", "strength": "500 mg", "dosage": "1 x 4", "startedOn": "2026-01-01" } });
    let (body, rows) = send(&app, Some(&doctor), add, medication).await;
    assert_eq!(error_code(&body), Some("FORBIDDEN"), "{body}");
    assert_eq!(rows, expect(&BTreeSet::from([not_his]), "WRITE", "DENIED"), "refused after the lookup");
    let Verification::Intact { .. } = verify(&app.db).await.expect("verify") else { panic!("intact chain") };
}

backends!(
    every_field_reaching_a_resident_logs_one_row_per_resident,
    login_and_me_log_the_residents_they_carry,
    an_allowed_and_a_refused_read_in_one_request_log_both,
    refused_writes_are_logged_as_refused_writes,
    reads_writes_and_denials_are_logged,
    a_roster_page_logs_each_resident_once,
    the_chain_is_append_only_and_verifiable,
    access_log_is_for_coordinator_admin_and_relative,
    concurrent_reads_each_get_their_rows_in_one_chain,
);
