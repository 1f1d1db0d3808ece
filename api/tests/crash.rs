//! Crash test (reliability): observations are written at a steady rate with their own
//! `clientMutationId`s while the real `plejelink` process is killed with SIGKILL at random moments
//! and restarted; clients retry what was not acknowledged. Afterwards every acknowledged id is in
//! the database exactly once, and retries made no duplicates. `PLEJELINK_CRASH_KILLS` sets the
//! number of kill points (default 20); the PostgreSQL run needs `PLEJELINK_TEST_POSTGRES_URL`.

use sea_orm::{ConnectionTrait, Database, Statement};
use serde_json::{Value, json};
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const RECORD: &str = "mutation($i: RecordObservationInput!) { recordObservation(input: $i) { observation { id } } }";
const WRITERS: usize = 4;

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).map(|a| a.port()).expect("free port")
}

struct Server {
    url: String,
    dir: PathBuf,
    port: u16,
    child: Option<Child>,
}

impl Server {
    fn start(&mut self) {
        let child = Command::new(env!("CARGO_BIN_EXE_plejelink"))
            .args(["serve", "--demo", "--residents-per-centre", "4", "--days", "1"])
            .env("PLEJELINK_DATABASE_URL", &self.url)
            .env("PLEJELINK_DATA_DIR", &self.dir)
            .env("PLEJELINK_BIND", format!("127.0.0.1:{}", self.port))
            .env("PLEJELINK_LOG", "error")
            .env("PLEJELINK_LOGIN_ATTEMPTS_PER_ADDRESS", "100000")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start plejelink");
        self.child = Some(child);
    }

    fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill(); // SIGKILL
            let _ = child.wait();
        }
    }

    async fn wait_ready(&self, client: &reqwest::Client) {
        let deadline = Instant::now() + Duration::from_secs(60);
        while Instant::now() < deadline {
            let ready = client.get(format!("http://127.0.0.1:{}/readyz", self.port)).send().await;
            if ready.is_ok_and(|r| r.status().is_success()) {
                return;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("the server did not become ready");
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.kill();
    }
}

async fn gql(client: &reqwest::Client, port: u16, token: Option<&str>, query: &str, variables: Value) -> Option<Value> {
    let mut request = client
        .post(format!("http://127.0.0.1:{port}/graphql"))
        .timeout(Duration::from_secs(5))
        .json(&json!({ "query": query, "variables": variables }));
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    request.send().await.ok()?.json().await.ok()
}

async fn crash_and_recover(url: String, dir: PathBuf) {
    let check_url = url.clone();
    let kills: usize = std::env::var("PLEJELINK_CRASH_KILLS").ok().and_then(|k| k.parse().ok()).unwrap_or(20);
    let client = reqwest::Client::new();
    let port = free_port();
    let mut server = Server { url, dir, port, child: None };
    server.start();
    server.wait_ready(&client).await;
    let login =
        "mutation { login(email: \"sygeplejerske.solhaven@demo.dk\", password: \"demo-password\") { accessToken } }";
    let body = gql(&client, port, None, login, json!({})).await.expect("login");
    let token = body["data"]["login"]["accessToken"].as_str().expect("token").to_owned();
    let centres = gql(
        &client,
        port,
        Some(&token),
        "{ careCentres { residents(first: 1) { edges { node { id } } } } }",
        json!({}),
    )
    .await
    .expect("centres");
    let resident = centres["data"]["careCentres"][0]["residents"]["edges"][0]["node"]["id"].clone();

    let acknowledged = Arc::new(Mutex::new(HashSet::new()));
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let mut writers = Vec::new();
    for _ in 0..WRITERS {
        let (client, token, resident, acknowledged, stop) =
            (client.clone(), token.clone(), resident.clone(), acknowledged.clone(), stop.clone());
        writers.push(tokio::spawn(async move {
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                let id = uuid::Uuid::new_v4().to_string();
                let input = json!({ "i": { "clientMutationId": id, "residentId": resident,
                    "recordedAt": chrono::Utc::now().to_rfc3339(), "pulse": 70, "temperature": 37.1 } });
                // Retry this id until the server acknowledges it (the device's outbox).
                loop {
                    if let Some(body) = gql(&client, port, Some(&token), RECORD, input.clone()).await
                        && body["data"]["recordObservation"]["observation"]["id"].is_string()
                    {
                        acknowledged.lock().expect("lock").insert(id.clone());
                        break;
                    }
                    tokio::time::sleep(Duration::from_millis(20)).await;
                }
                tokio::time::sleep(Duration::from_millis(5)).await;
            }
        }));
    }
    let mut seed = 0x9E37_79B9_7F4A_7C15u64;
    for _ in 0..kills {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        tokio::time::sleep(Duration::from_millis(100 + seed % 400)).await;
        server.kill();
        server.start();
        server.wait_ready(&client).await;
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    for writer in writers {
        tokio::time::timeout(Duration::from_secs(60), writer).await.expect("writers finish").expect("writer");
    }
    server.kill();
    let acknowledged = acknowledged.lock().expect("lock").clone();
    assert!(acknowledged.len() > kills, "writes went on between the kills: {}", acknowledged.len());
    let stored = stored_ids(&check_url).await;
    let missing: Vec<_> = acknowledged.iter().filter(|id| !stored.contains_key(*id)).collect();
    let duplicated: Vec<_> = stored.iter().filter(|(_, n)| **n > 1).collect();
    let unknown: Vec<_> = stored.keys().filter(|id| !acknowledged.contains(*id)).collect();
    eprintln!(
        "crash test: {kills} kill points, {} acknowledged writes, {} missing, {} duplicated",
        acknowledged.len(),
        missing.len(),
        duplicated.len()
    );
    assert!(missing.is_empty(), "acknowledged but lost: {missing:?}");
    assert!(duplicated.is_empty(), "stored twice: {duplicated:?}");
    assert!(unknown.is_empty(), "stored without any acknowledged request: {unknown:?}");
}

/// The stored count of each of this run's `clientMutationId`s (the demo's own are left out).
async fn stored_ids(url: &str) -> HashMap<String, i64> {
    let db = Database::connect(url).await.expect("open the database");
    let backend = db.get_database_backend();
    let sql = "SELECT client_mutation_id, COUNT(*) AS n FROM observations WHERE payload_hash <> 'demo' GROUP BY client_mutation_id";
    let rows = db.query_all_raw(Statement::from_string(backend, sql)).await.expect("count");
    let counts: HashMap<String, i64> = rows
        .iter()
        .map(|row| {
            let id: uuid::Uuid = row.try_get("", "client_mutation_id").expect("id");
            (id.to_string(), row.try_get::<i64>("", "n").expect("n"))
        })
        .collect();
    counts
}

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("plejelink-crash-{name}-{}", uuid::Uuid::now_v7().simple()));
    std::fs::create_dir_all(&dir).expect("dir");
    dir
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sqlite_survives_sigkill() {
    let dir = temp_dir("sqlite");
    let url = format!("sqlite://{}?mode=rwc", Path::new(&dir).join("plejelink.sqlite").display());
    crash_and_recover(url, dir.clone()).await;
    let _ = std::fs::remove_dir_all(dir);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn postgres_survives_sigkill() {
    let Some(admin) = std::env::var("PLEJELINK_TEST_POSTGRES_URL").ok().filter(|u| !u.is_empty()) else {
        assert!(std::env::var("PLEJELINK_TEST_REQUIRE_POSTGRES").as_deref() != Ok("1"), "PostgreSQL required");
        eprintln!("SKIPPED: PostgreSQL crash test (set PLEJELINK_TEST_POSTGRES_URL)");
        return;
    };
    let name = format!("plejelink_crash_{}", uuid::Uuid::now_v7().simple());
    let db = Database::connect(&admin).await.expect("admin");
    let backend = db.get_database_backend();
    db.execute_raw(Statement::from_string(backend, format!("CREATE DATABASE \"{name}\""))).await.expect("create");
    let url = format!("{}/{name}", admin.rsplit_once('/').expect("db in URL").0);
    let dir = temp_dir("postgres");
    crash_and_recover(url, dir.clone()).await;
    let drop = format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)");
    db.execute_raw(Statement::from_string(backend, drop)).await.expect("drop");
    let _ = std::fs::remove_dir_all(dir);
}
