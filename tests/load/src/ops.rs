//! The reference operations, and how a request for each is made against Plejelink.
//!
//! Every request is sent with its own user's access token; every answer is parsed and checked,
//! and any GraphQL `errors` entry makes the request a failure.

use crate::engine::Job;
use crate::world::World;
use anyhow::{Context, bail};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{Duration as Days, SecondsFormat, Utc};
use serde_json::{Value, json};
use std::collections::HashMap;
use std::future::Future;
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};
use uuid::Uuid;

/// The reference operations (docs/performance.md).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Op {
    /// (a) `doctorQueue(first: 20)` with each question's resident, latest observation and attached observations.
    Queue,
    /// (b) a resident's 30-day `observations` and `news2Trend(days: 30)`.
    Trend,
    /// (c) `residents(careCentreId, first: 60)` with latest observation, its NEWS2 and open question count.
    Residents,
    /// (d) `recordObservation`.
    Record,
    /// (e) a day shift: mostly nurse reads and writes, some doctor reads, few relative reads.
    Mixed,
}

impl Op {
    pub const ALL: [Op; 5] = [Op::Queue, Op::Trend, Op::Residents, Op::Record, Op::Mixed];

    pub fn name(self) -> &'static str {
        match self {
            Op::Queue => "a-queue",
            Op::Trend => "b-trend",
            Op::Residents => "c-residents",
            Op::Record => "d-record",
            Op::Mixed => "e-mixed",
        }
    }

    pub fn parse(text: &str) -> anyhow::Result<Op> {
        let op = match text {
            "a" | "queue" | "a-queue" => Op::Queue,
            "b" | "trend" | "b-trend" => Op::Trend,
            "c" | "residents" | "c-residents" => Op::Residents,
            "d" | "record" | "d-record" => Op::Record,
            "e" | "mixed" | "e-mixed" => Op::Mixed,
            other => bail!("unknown operation {other} (a|b|c|d|e)"),
        };
        Ok(op)
    }
}

pub const QUEUE: &str = "query DoctorQueue { doctorQueue(first: 20) { totalCount edges { node { id subject priority status overdue dueAt askedAt resident { id fullName room latestObservation { id recordedAt news2 { total riskLevel } } } attachedObservations { id recordedAt respirationRate oxygenSaturation systolicBp pulse consciousness temperature news2 { total riskLevel } } } } } }";

pub const TREND: &str = "query ResidentTrend($id: ID!, $from: DateTime!) { resident(id: $id) { id fullName observations(from: $from, first: 100) { totalCount edges { node { id recordedAt respirationRate oxygenSaturation onSupplementalOxygen systolicBp diastolicBp pulse consciousness temperature news2 { total riskLevel } enteredInError } } } news2Trend(days: 30) { recordedAt total riskLevel complete } } }";

pub const RESIDENTS: &str = "query Residents($centre: ID!) { residents(careCentreId: $centre, first: 60) { totalCount edges { node { id fullName room status latestObservation { id recordedAt news2 { total riskLevel } } openQuestionCount } } } }";

pub const RECORD: &str = "mutation RecordObservation($input: RecordObservationInput!) { recordObservation(input: $input) { observation { id recordedAt } news2 { total riskLevel } escalation { level monitoringIntervalHours } } }";

pub const RELATIVE: &str = "query RelativeView($id: ID!) { resident(id: $id) { id fullName room careCentre { name phone } generalPractitioner { doctor { displayName phone } externalName } carePlan { revision goals sections { heading text } agreedAt } } }";

/// A Relay global id as Plejelink makes them: base64url("Type:uuid").
pub fn global_id(kind: &str, id: Uuid) -> String {
    URL_SAFE_NO_PAD.encode(format!("{kind}:{id}"))
}

/// splitmix64: the n-th request's choices, the same in every run.
pub fn mix(n: u64) -> u64 {
    let mut z = n.wrapping_add(0x9E37_79B9_7F4A_7C15).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

pub fn pick<T>(items: &[T], n: u64) -> &T {
    &items[(mix(n) % items.len() as u64) as usize]
}

pub fn timestamp(at: chrono::DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Micros, true)
}

/// An HTTP client for load: keeps many connections open to one host.
pub fn client() -> anyhow::Result<reqwest::Client> {
    Ok(reqwest::Client::builder()
        .pool_max_idle_per_host(1024)
        .tcp_nodelay(true)
        .timeout(Duration::from_secs(60))
        .build()?)
}

/// POSTs one GraphQL request; `Ok(data)` only for HTTP 200 without `errors`.
pub async fn post(
    client: &reqwest::Client,
    url: &str,
    token: Option<&str>,
    query: &str,
    variables: Value,
) -> Result<Value, String> {
    let mut request = client.post(url).json(&json!({ "query": query, "variables": variables }));
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    let response = request.send().await.map_err(|e| format!("send: {e}"))?;
    let status = response.status();
    let bytes = response.bytes().await.map_err(|e| format!("read: {e}"))?;
    let mut body: Value =
        serde_json::from_slice(&bytes).map_err(|e| format!("HTTP {status}: body is not JSON ({e})"))?;
    if let Some(errors) = body.get("errors").filter(|e| !e.is_null()) {
        let first = &errors[0];
        return Err(format!(
            "HTTP {status}: {} ({})",
            first["message"].as_str().unwrap_or("error"),
            first["extensions"]["code"].as_str().unwrap_or("no code")
        ));
    }
    if !status.is_success() {
        return Err(format!("HTTP {status}"));
    }
    match body.get_mut("data").map(Value::take) {
        Some(data) if data.is_object() => Ok(data),
        _ => Err(format!("HTTP {status}: no data")),
    }
}

/// Checks that `data` has a value at `path` (a JSON pointer) of the wanted shape.
pub fn expect(data: &Value, path: &str, what: fn(&Value) -> bool) -> Result<(), String> {
    match data.pointer(path) {
        Some(value) if what(value) => Ok(()),
        other => Err(format!("unexpected answer at {path}: {}", other.map_or("missing".into(), |v| v.to_string()))),
    }
}

pub fn non_empty_array(v: &Value) -> bool {
    v.as_array().is_some_and(|a| !a.is_empty())
}

/// Access tokens of every demo user of the world, refreshed by logging in again when old.
pub struct Sessions {
    client: reqwest::Client,
    url: String,
    emails: Vec<String>,
    tokens: RwLock<Tokens>,
}

/// Access tokens by e-mail, and when they were made.
type Tokens = (HashMap<String, Arc<str>>, Option<Instant>);

/// Access tokens live 15 minutes; log in again well before.
const TOKEN_REFRESH_AFTER: Duration = Duration::from_secs(10 * 60);

impl Sessions {
    pub fn new(client: reqwest::Client, url: &str, emails: Vec<String>) -> Self {
        Self { client, url: url.to_owned(), emails, tokens: RwLock::new((HashMap::new(), None)) }
    }

    /// Logs every user in, unless that was done less than 10 minutes ago.
    pub async fn ensure_fresh(&self) -> anyhow::Result<()> {
        let fresh = self
            .tokens
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .1
            .is_some_and(|at| at.elapsed() < TOKEN_REFRESH_AFTER);
        if fresh {
            return Ok(());
        }
        let started = Instant::now();
        let mut tokens = HashMap::new();
        // The server hashes two passwords at a time; a few logins in flight keep it busy.
        for chunk in self.emails.chunks(4) {
            let logins = chunk.iter().map(|email| {
                let (client, url, email) = (self.client.clone(), self.url.clone(), email.clone());
                async move {
                    let data = post(
                        &client,
                        &url,
                        None,
                        "mutation Login($e: String!, $p: String!) { login(email: $e, password: $p) { accessToken } }",
                        json!({ "e": email, "p": "demo-password" }),
                    )
                    .await
                    .map_err(|e| anyhow::anyhow!("login {email}: {e}"))?;
                    let token = data["login"]["accessToken"].as_str().context("no access token")?.to_owned();
                    anyhow::Ok((email, Arc::<str>::from(token)))
                }
            });
            for result in futures_join_all(logins).await {
                let (email, token) = result?;
                tokens.insert(email, token);
            }
        }
        tracing_note(&format!("logged in {} users in {:.1} s", tokens.len(), started.elapsed().as_secs_f64()));
        *self.tokens.write().unwrap_or_else(|e| e.into_inner()) = (tokens, Some(Instant::now()));
        Ok(())
    }

    pub fn token(&self, email: &str) -> Result<Arc<str>, String> {
        let tokens = self.tokens.read().unwrap_or_else(|e| e.into_inner());
        tokens.0.get(email).cloned().ok_or_else(|| format!("no session for {email}"))
    }
}

/// Awaits futures concurrently, each on its own task (a small `join_all`).
pub async fn futures_join_all<F>(futures: impl IntoIterator<Item = F>) -> Vec<F::Output>
where
    F: Future + Send + 'static,
    F::Output: Send + 'static,
{
    let handles: Vec<_> = futures.into_iter().map(tokio::spawn).collect();
    let mut results = Vec::with_capacity(handles.len());
    for handle in handles {
        if let Ok(result) = handle.await {
            results.push(result);
        }
    }
    results
}

/// Progress notes on stderr (the table and JSON are the output).
pub fn tracing_note(message: &str) {
    eprintln!("[load] {message}");
}

/// Plejelink as the load sees it.
pub struct Ours {
    pub client: reqwest::Client,
    pub url: String,
    pub world: Arc<World>,
    pub sessions: Arc<Sessions>,
}

impl Ours {
    pub fn new(client: reqwest::Client, base: &str, world: Arc<World>) -> Self {
        let url = format!("{}/graphql", base.trim_end_matches('/'));
        let sessions = Arc::new(Sessions::new(client.clone(), &url, world.emails()));
        Self { client, url, world, sessions }
    }

    /// The job that makes requests of `op`.
    pub fn job(&self, op: Op) -> Job {
        let (client, url, world, sessions) =
            (self.client.clone(), self.url.clone(), self.world.clone(), self.sessions.clone());
        Arc::new(move |n| {
            let (client, url, world, sessions) = (client.clone(), url.clone(), world.clone(), sessions.clone());
            Box::pin(async move {
                let op = if op == Op::Mixed { mixed(n) } else { Step::of(op) };
                request(&client, &url, &world, &sessions, op, n).await
            })
        })
    }
}

/// One request of the mixed workload.
#[derive(Debug, Clone, Copy)]
pub enum Step {
    NurseResidents,
    NurseTrend,
    NurseRecord,
    DoctorQueue,
    DoctorTrend,
    RelativeView,
}

impl Step {
    fn of(op: Op) -> Step {
        match op {
            Op::Queue => Step::DoctorQueue,
            Op::Trend => Step::NurseTrend,
            Op::Residents => Step::NurseResidents,
            Op::Record | Op::Mixed => Step::NurseRecord,
        }
    }
}

/// The day shift: per 100 requests, 25 roster reads, 20 resident charts and 25 observations by
/// nurses, 15 queue reads and 10 resident charts by doctors, 5 relative reads.
pub fn mixed(n: u64) -> Step {
    match mix(n ^ 0x5eed) % 100 {
        0..25 => Step::NurseResidents,
        25..45 => Step::NurseTrend,
        45..70 => Step::NurseRecord,
        70..85 => Step::DoctorQueue,
        85..95 => Step::DoctorTrend,
        _ => Step::RelativeView,
    }
}

async fn request(
    client: &reqwest::Client,
    url: &str,
    world: &World,
    sessions: &Sessions,
    step: Step,
    n: u64,
) -> Result<(), String> {
    let now = Utc::now();
    match step {
        Step::NurseResidents => {
            let staff = if n % 4 == 3 && !world.coordinators.is_empty() {
                pick(&world.coordinators, n)
            } else {
                pick(&world.nurses, n)
            };
            let token = sessions.token(&staff.email)?;
            let vars = json!({ "centre": global_id("CareCentre", staff.centre) });
            let data = post(client, url, Some(&token), RESIDENTS, vars).await?;
            expect(&data, "/residents/edges", non_empty_array)?;
            expect(&data, "/residents/edges/0/node/latestObservation/news2/total", Value::is_i64)?;
            expect(&data, "/residents/edges/0/node/openQuestionCount", Value::is_i64)
        }
        Step::NurseTrend | Step::DoctorTrend => {
            let (email, resident) = match step {
                Step::DoctorTrend => {
                    let doctor = pick(&world.doctors, n);
                    (&doctor.email, *pick(&doctor.gp_residents, n >> 7))
                }
                _ => {
                    let nurse = pick(&world.nurses, n);
                    (&nurse.email, *pick(world.residents_of(nurse.centre), n >> 7))
                }
            };
            let token = sessions.token(email)?;
            let vars = json!({ "id": global_id("Resident", resident), "from": timestamp(now - Days::days(30)) });
            let data = post(client, url, Some(&token), TREND, vars).await?;
            expect(&data, "/resident/observations/edges", Value::is_array)?;
            expect(&data, "/resident/news2Trend", non_empty_array)
        }
        Step::NurseRecord => {
            let nurse = pick(&world.nurses, n);
            let resident = *pick(world.residents_of(nurse.centre), n >> 7);
            let token = sessions.token(&nurse.email)?;
            let r = mix(n);
            let input = json!({
                "clientMutationId": Uuid::new_v4().to_string(),
                "residentId": global_id("Resident", resident),
                "recordedAt": timestamp(now - Days::seconds(60)),
                "respirationRate": 14 + (r % 6) as i64,
                "oxygenSaturation": 93 + (r >> 8) as i64 % 6,
                "systolicBp": 110 + (r >> 16) as i64 % 40,
                "diastolicBp": 70 + (r >> 24) as i64 % 15,
                "pulse": 60 + (r >> 32) as i64 % 30,
                "consciousness": "ALERT",
                "temperature": 36.5 + ((r >> 40) % 10) as f64 / 10.0,
            });
            let data = post(client, url, Some(&token), RECORD, json!({ "input": input })).await?;
            expect(&data, "/recordObservation/observation/id", Value::is_string)
        }
        Step::DoctorQueue => {
            let doctor = pick(&world.doctors, n);
            let token = sessions.token(&doctor.email)?;
            let data = post(client, url, Some(&token), QUEUE, json!({})).await?;
            expect(&data, "/doctorQueue/edges", non_empty_array)
        }
        Step::RelativeView => {
            let Some(relative) = world.relatives.get((n % world.relatives.len().max(1) as u64) as usize) else {
                return Err("no relative in the dataset".into());
            };
            let token = sessions.token(&relative.email)?;
            let data =
                post(client, url, Some(&token), RELATIVE, json!({ "id": global_id("Resident", relative.resident) }))
                    .await?;
            expect(&data, "/resident/fullName", Value::is_string)
        }
    }
}
