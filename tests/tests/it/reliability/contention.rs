//! Write contention. Every kind of writer at once for a few seconds, on both backends: no answer
//! is `INTERNAL` (SQLite used to refuse a transaction that read before it wrote with "database is
//! locked" whenever another connection had written meanwhile, whatever the busy timeout), and
//! every acknowledged write is stored. (A write lock held by another process is in
//! `tests/tests/busy.rs`.)

use entities::{audit_event, care_plan, observation, question};
use futures_util::future::join_all;
use plejelink::audit::Verification;
use plejelink_tests::{TestApp, backends, error_code, uuid_of};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QuerySelect};
use serde_json::{Value, json};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::Mutex;
use std::time::{Duration, Instant};

const RECORD: &str = "mutation($i: RecordObservationInput!) { recordObservation(input: $i) { observation { id } } }";
const ASK: &str = "mutation($i: AskQuestionInput!) { askQuestion(input: $i) { question { id } } }";
const DRAFT: &str = "mutation($i: SaveCarePlanDraftInput!) { saveCarePlanDraft(input: $i) { id version } }";
const LOGIN: &str =
    "mutation($e: String!, $p: String!) { login(email: $e, password: $p) { accessToken refreshToken } }";
const REFRESH: &str = "mutation($t: String!) { refreshSession(refreshToken: $t) { accessToken refreshToken } }";
const READ: &str = "query($id: ID!) { resident(id: $id) { id latestObservation { id } } }";
/// How long the writers run.
const SECONDS: u64 = 3;

/// Answers counted by operation and `extensions.code` (`OK` without errors).
#[derive(Default)]
struct Tally(Mutex<BTreeMap<(&'static str, String), usize>>);

impl Tally {
    /// Counts the answer and returns its code.
    fn count(&self, operation: &'static str, body: &Value) -> String {
        let code = match body.get("errors") {
            None => "OK".to_owned(),
            Some(_) => error_code(body).unwrap_or("WITHOUT CODE").to_owned(),
        };
        *self.0.lock().expect("tally").entry((operation, code.clone())).or_default() += 1;
        code
    }

    fn answers(&self) -> BTreeMap<(&'static str, String), usize> {
        self.0.lock().expect("tally").clone()
    }
}

/// POSTs with a request id of its own (the access log's rows carry it); returns the id and body.
async fn post(app: &TestApp, token: Option<&str>, query: &str, variables: Value) -> (String, Value) {
    app.gql_traced(token, query, variables).await
}

/// An acknowledged write: its request, the database id of what it stored and its client id.
struct Acked {
    request: String,
    id: uuid::Uuid,
    client_mutation_id: uuid::Uuid,
}

/// Sends `input(n)` for n = 0, 1, … until `until`; a `RATE_LIMITED` answer is sent again as it was
/// (as the app's outbox does; for 10 s at most). Returns the acknowledged ones.
async fn write_until(
    app: &TestApp,
    tally: &Tally,
    until: Instant,
    token: &str,
    (operation, query): (&'static str, &str),
    input: impl Fn(usize, uuid::Uuid) -> Value,
) -> Vec<Acked> {
    let mut acked = Vec::new();
    let mut n = 0;
    while Instant::now() < until {
        let client_mutation_id = uuid::Uuid::new_v4();
        let variables = json!({ "i": input(n, client_mutation_id) });
        n += 1;
        loop {
            let (request, body) = post(app, Some(token), query, variables.clone()).await;
            match tally.count(operation, &body).as_str() {
                "OK" => {
                    let payload = body["data"][operation].as_object().expect("payload");
                    let stored = payload.values().next().expect("the stored object");
                    acked.push(Acked { request, id: uuid_of(&stored["id"]), client_mutation_id });
                }
                "RATE_LIMITED" if Instant::now() < until + Duration::from_secs(10) => continue,
                _ => {}
            }
            break;
        }
    }
    acked
}

/// A new session of `email`: its access and refresh tokens.
async fn session(app: &TestApp, email: &str) -> (String, String) {
    let login = app.gql(None, LOGIN, json!({ "e": email, "p": "demo-password" })).await;
    let token = |name: &str| login["data"]["login"][name].as_str().unwrap_or_else(|| panic!("{login:#}")).to_owned();
    (token("accessToken"), token("refreshToken"))
}

/// A session rotating its refresh token until `until`; every fourth rotation is sent twice at
/// once (two tabs), and both must get the same new pair. Returns the last pair.
async fn refresh_until(app: &TestApp, tally: &Tally, until: Instant, session: (String, String)) -> (String, String) {
    let text = |value: &Value| value.as_str().expect("a token").to_owned();
    let (mut access, mut refresh) = session;
    let mut round = 0;
    while Instant::now() < until {
        round += 1;
        let tabs = if round % 4 == 0 { 2 } else { 1 };
        let answers = join_all((0..tabs).map(|_| post(app, None, REFRESH, json!({ "t": refresh })))).await;
        let codes: Vec<String> = answers.iter().map(|(_, body)| tally.count("refreshSession", body)).collect();
        if codes.iter().any(|code| code != "OK" && code != "RATE_LIMITED") {
            break;
        }
        let pairs: Vec<&Value> =
            answers.iter().map(|(_, body)| &body["data"]["refreshSession"]).filter(|pair| !pair.is_null()).collect();
        if let Some(pair) = pairs.first() {
            assert!(pairs.iter().all(|p| p == pair), "two tabs refreshing one token get one pair: {answers:#?}");
            (access, refresh) = (text(&pair["accessToken"]), text(&pair["refreshToken"]));
        }
    }
    (access, refresh)
}

/// Edits one care plan draft of `resident` until `until`. Returns its id, last acknowledged
/// version and goals, and the requests acknowledged.
async fn draft_until(
    app: &TestApp,
    tally: &Tally,
    until: Instant,
    token: &str,
    resident: &Value,
) -> (Value, i64, String, Vec<String>) {
    let (mut plan, mut version, mut goals, mut requests) = (Value::Null, 0, String::new(), Vec::new());
    let mut n = 0;
    while Instant::now() < until {
        let text = format!("Mål nummer {n}");
        let mut input = json!({ "residentId": resident, "goals": text,
            "sections": [{ "heading": "Ernæring", "text": "Mellemmåltider." }] });
        if !plan.is_null() {
            input["carePlanId"] = plan.clone();
            input["expectedVersion"] = json!(version);
        }
        let (request, body) = post(app, Some(token), DRAFT, json!({ "i": input })).await;
        if tally.count("saveCarePlanDraft", &body) == "OK" {
            let saved = &body["data"]["saveCarePlanDraft"];
            (plan, version, goals) = (saved["id"].clone(), saved["version"].as_i64().expect("version"), text);
            requests.push(request);
            n += 1;
        }
    }
    (plan, version, goals, requests)
}

/// Reads residents (each read appends an access-log row) until `until`; returns the requests
/// answered.
async fn read_until(app: &TestApp, tally: &Tally, until: Instant, token: &str, residents: &[Value]) -> Vec<String> {
    let mut answered = Vec::new();
    let mut n = 0;
    while Instant::now() < until {
        let (request, body) = post(app, Some(token), READ, json!({ "id": residents[n % residents.len()] })).await;
        if tally.count("resident", &body) == "OK" {
            answered.push(request);
        }
        n += 1;
    }
    answered
}

async fn residents_of(app: &TestApp, token: &str) -> (Value, Vec<Value>) {
    let data =
        app.data(token, "{ careCentres { id residents(first: 50) { edges { node { id } } } } }", json!({})).await;
    let centre = &data["careCentres"][0];
    let residents = centre["residents"]["edges"].as_array().expect("edges").iter().map(|e| e["node"]["id"].clone());
    (centre["id"].clone(), residents.collect())
}

async fn every_kind_of_writer_at_once_gets_no_internal_and_loses_nothing(app: TestApp) {
    let nurse = app.login("sygeplejerske.solhaven@demo.dk").await;
    let other_nurse = app.login("sygeplejerske.lindegaarden@demo.dk").await;
    let coordinator = app.login("koordinator.solhaven@demo.dk").await;
    let (centre, residents) = residents_of(&app, &nurse).await;
    let (_, other_residents) = residents_of(&app, &other_nurse).await;
    let sessions = [
        session(&app, "koordinator.lindegaarden@demo.dk").await,
        session(&app, "laege.berg@demo.dk").await,
        session(&app, "paaroerende@demo.dk").await,
    ];
    let tally = Tally::default();
    let until = Instant::now() + Duration::from_secs(SECONDS);
    let observe = |token: String, residents: Vec<Value>| {
        let (app, tally, now) = (&app, &tally, app.now.to_rfc3339());
        async move {
            let input = |n: usize, id: uuid::Uuid| {
                json!({ "clientMutationId": id, "residentId": residents[n % residents.len()],
                    "recordedAt": now, "pulse": 50 + n % 60 })
            };
            write_until(app, tally, until, &token, ("recordObservation", RECORD), input).await
        }
    };
    let ask = |first: usize| {
        let (app, tally, nurse, centre, residents) = (&app, &tally, &nurse, &centre, &residents);
        async move {
            let input = |n: usize, id: uuid::Uuid| {
                json!({ "clientMutationId": id, "careCentreId": centre,
                    "residentId": residents[(first + n) % residents.len()], "subject": format!("Spørgsmål {n}"),
                    "body": "Skal dosis justeres?", "priority": "ROUTINE" })
            };
            write_until(app, tally, until, nurse, ("askQuestion", ASK), input).await
        }
    };
    let (observations, questions, sessions, plans, reads) = tokio::join!(
        join_all([
            observe(nurse.clone(), residents.clone()),
            observe(nurse.clone(), residents.clone()),
            observe(other_nurse.clone(), other_residents.clone()),
        ]),
        join_all([ask(0), ask(5)]),
        join_all(sessions.map(|session| refresh_until(&app, &tally, until, session))),
        join_all([
            draft_until(&app, &tally, until, &nurse, &residents[0]),
            draft_until(&app, &tally, until, &coordinator, &residents[1]),
        ]),
        join_all([
            read_until(&app, &tally, until, &nurse, &residents),
            read_until(&app, &tally, until, &coordinator, &residents),
            read_until(&app, &tally, until, &other_nurse, &other_residents),
        ]),
    );

    let answers = tally.answers();
    eprintln!("{:?} contention, answers in {SECONDS} s: {answers:?}", app.backend);
    let unexpected: Vec<_> = answers.iter().filter(|((_, code), _)| code != "OK" && code != "RATE_LIMITED").collect();
    assert!(unexpected.is_empty(), "every answer is OK or RATE_LIMITED (retried): {unexpected:?}");
    for operation in ["recordObservation", "askQuestion", "refreshSession", "saveCarePlanDraft", "resident"] {
        assert!(answers.get(&(operation, "OK".to_owned())).is_some_and(|&n| n > 0), "{operation} was served");
    }

    // Every acknowledged observation and question is stored once, as acknowledged.
    let observations: Vec<Acked> = observations.into_iter().flatten().collect();
    let stored: HashMap<uuid::Uuid, uuid::Uuid> = observation::Entity::find()
        .filter(observation::Column::ClientMutationId.is_in(observations.iter().map(|o| o.client_mutation_id)))
        .all(&app.db)
        .await
        .expect("observations")
        .into_iter()
        .map(|o| (o.client_mutation_id, o.id))
        .collect();
    for acked in &observations {
        assert_eq!(stored.get(&acked.client_mutation_id), Some(&acked.id), "observation stored as acknowledged");
    }
    let questions: Vec<Acked> = questions.into_iter().flatten().collect();
    for acked in &questions {
        let stored = question::Entity::find().filter(question::Column::ClientMutationId.eq(acked.client_mutation_id));
        let stored = stored.all(&app.db).await.expect("question");
        assert_eq!(stored.iter().map(|q| q.id).collect::<Vec<_>>(), [acked.id], "question stored once");
    }
    // Each draft holds its last acknowledged edit.
    for (plan, version, goals, _) in &plans {
        assert!(!plan.is_null(), "every draft writer saved");
        let stored = care_plan::Entity::find_by_id(uuid_of(plan)).one(&app.db).await.expect("plan").expect("stored");
        assert_eq!((i64::from(stored.version), &stored.goals), (*version, goals), "the last acknowledged edit");
    }
    // Every session still works: its last access token, and its last refresh token rotates.
    for (access, refresh) in &sessions {
        app.data(access, "{ me { email } }", json!({})).await;
        let rotated = app.gql(None, REFRESH, json!({ "t": refresh })).await;
        assert!(rotated["data"]["refreshSession"]["refreshToken"].is_string(), "{rotated:#}");
    }
    // Every acknowledged request that touched a resident has its access-log row; the chain holds.
    let logged: HashSet<String> = audit_event::Entity::find()
        .select_only()
        .column(audit_event::Column::RequestId)
        .into_tuple()
        .all(&app.db)
        .await
        .expect("log")
        .into_iter()
        .collect();
    let audited = observations.iter().chain(&questions).map(|a| &a.request);
    let audited = audited.chain(plans.iter().flat_map(|p| &p.3)).chain(reads.iter().flatten());
    let mut count = 0;
    for request in audited {
        assert!(logged.contains(request), "request {request} has its access-log row");
        count += 1;
    }
    assert!(matches!(plejelink::audit::verify(&app.db).await.expect("verify"), Verification::Intact { .. }));
    eprintln!(
        "{:?}: {} observations, {} questions, {} draft edits, {} reads acknowledged; {count} requests logged",
        app.backend,
        observations.len(),
        questions.len(),
        plans.iter().map(|p| p.3.len()).sum::<usize>(),
        reads.iter().map(Vec::len).sum::<usize>(),
    );
}

backends!(every_kind_of_writer_at_once_gets_no_internal_and_loses_nothing);
