//! The real `plejelink` binary over time and at its end: a soak (many subscriptions and mixed
//! load while RSS and database connections are sampled; they must stay flat) and a graceful
//! shutdown (SIGTERM: open WebSockets get a Close frame 1012, in-flight requests finish, the
//! process exits within the grace period).
//!
//! `PLEJELINK_SOAK_SECONDS` (default 20) and `PLEJELINK_SOAK_SUBSCRIPTIONS` (default 200) size
//! the soak; `scripts/reliability.sh` runs it for 15 minutes with 500 subscriptions. The curve is
//! written to `<target>/tmp/soak-<backend>.csv`.

use futures_util::{SinkExt, StreamExt};
use sea_orm::{ConnectionTrait, Database, Statement};
use serde_json::{Value, json};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};
use tokio_tungstenite::tungstenite::Message;

const RECORD: &str = "mutation($i: RecordObservationInput!) { recordObservation(input: $i) { observation { id } } }";
const ROSTER: &str = "query($c: ID!) { residents(careCentreId: $c, first: 20) { edges { node { id fullName latestObservation { id news2 { total } } } } } }";
const QUEUE: &str =
    "{ doctorQueue(first: 20) { edges { node { id subject priority overdue resident { fullName } } } } }";
const NURSE: &str = "sygeplejerske.solhaven@demo.dk";
const DOCTOR: &str = "laege.hansen@demo.dk";
/// The server's own bound (`SHUTDOWN_GRACE`) plus time to start and reap the process.
const EXIT_BOUND: Duration = Duration::from_secs(12);

fn env_number(name: &str, default: u64) -> u64 {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

/// A `plejelink serve --demo` process on a free port.
struct Server {
    child: Child,
    port: u16,
    dir: PathBuf,
}

impl Server {
    async fn start(database_url: &str) -> Self {
        let port =
            std::net::TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).map(|a| a.port()).expect("port");
        let dir = std::env::temp_dir().join(format!("plejelink-serve-{}", uuid::Uuid::now_v7().simple()));
        std::fs::create_dir_all(&dir).expect("dir");
        let url = if database_url.is_empty() {
            format!("sqlite://{}?mode=rwc", dir.join("plejelink.sqlite").display())
        } else {
            database_url.to_owned()
        };
        let child = Command::new(env!("CARGO_BIN_EXE_plejelink"))
            .args(["serve", "--demo", "--residents-per-centre", "8", "--days", "2"])
            .env("PLEJELINK_DATABASE_URL", url)
            .env("PLEJELINK_DATA_DIR", &dir)
            .env("PLEJELINK_BIND", format!("127.0.0.1:{port}"))
            .env("PLEJELINK_LOG", "error")
            .env("PLEJELINK_LOGIN_ATTEMPTS_PER_ADDRESS", "100000")
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start plejelink");
        let server = Self { child, port, dir };
        let client = reqwest::Client::new();
        let deadline = Instant::now() + Duration::from_secs(120);
        loop {
            let ready = client.get(format!("http://127.0.0.1:{port}/readyz")).send().await;
            if ready.is_ok_and(|r| r.status().is_success()) {
                return server;
            }
            assert!(Instant::now() < deadline, "the server did not become ready");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    fn url(&self) -> String {
        format!("http://127.0.0.1:{}/graphql", self.port)
    }

    /// VmRSS in KiB.
    fn rss_kb(&self) -> u64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id())).unwrap_or_default();
        status
            .lines()
            .find_map(|l| l.strip_prefix("VmRSS:"))
            .and_then(|v| v.split_whitespace().next())
            .and_then(|v| v.parse().ok())
            .unwrap_or(0)
    }

    /// Open file descriptors on the SQLite database file (its pooled connections).
    fn sqlite_connections(&self) -> u64 {
        let Ok(fds) = std::fs::read_dir(format!("/proc/{}/fd", self.child.id())) else { return 0 };
        let db = self.dir.join("plejelink.sqlite");
        fds.filter_map(Result::ok).filter(|fd| std::fs::read_link(fd.path()).is_ok_and(|target| target == db)).count()
            as u64
    }

    fn terminate(&self) {
        let status = Command::new("kill").args(["-TERM", &self.child.id().to_string()]).status().expect("kill");
        assert!(status.success(), "SIGTERM sent");
    }

    /// Waits for the process to exit; panics after `bound`.
    async fn exited_within(&mut self, bound: Duration) -> std::process::ExitStatus {
        let started = Instant::now();
        loop {
            if let Some(status) = self.child.try_wait().expect("wait") {
                return status;
            }
            assert!(started.elapsed() < bound, "the server did not exit within {bound:?} of SIGTERM");
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

async fn gql(
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
    let response = request.send().await.map_err(|e| e.to_string())?;
    let status = response.status();
    let body: Value = response.json().await.map_err(|e| e.to_string())?;
    if !status.is_success() || body.get("errors").is_some() {
        return Err(format!("{status}: {body}"));
    }
    Ok(body["data"].clone())
}

async fn login(client: &reqwest::Client, url: &str, email: &str) -> String {
    let query = "mutation($e: String!) { login(email: $e, password: \"demo-password\") { accessToken } }";
    let data = gql(client, url, None, query, json!({ "e": email })).await.expect("login");
    data["login"]["accessToken"].as_str().expect("token").to_owned()
}

/// Opens a `graphql-transport-ws` subscription and returns a task that drains it, counting
/// `next` messages, and yields the close code the server ended it with (None: no Close frame).
async fn subscribe(
    port: u16,
    token: &str,
    query: &str,
    events: Arc<AtomicU64>,
) -> tokio::task::JoinHandle<Option<u16>> {
    use tokio_tungstenite::tungstenite::client::IntoClientRequest;
    let mut request = format!("ws://127.0.0.1:{port}/graphql/ws").into_client_request().expect("request");
    request.headers_mut().insert("Sec-WebSocket-Protocol", "graphql-transport-ws".parse().expect("header"));
    let (mut socket, _) = tokio_tungstenite::connect_async(request).await.expect("ws connect");
    let init = json!({ "type": "connection_init", "payload": { "token": token } });
    socket.send(Message::text(init.to_string())).await.expect("init");
    let ack = socket.next().await.expect("ack").expect("ack message");
    assert!(ack.to_text().is_ok_and(|t| t.contains("connection_ack")), "no ack: {ack:?}");
    let start = json!({ "id": "1", "type": "subscribe", "payload": { "query": query } });
    socket.send(Message::text(start.to_string())).await.expect("subscribe");
    tokio::spawn(async move {
        while let Some(Ok(message)) = socket.next().await {
            match message {
                Message::Close(frame) => return frame.map(|f| u16::from(f.code)),
                Message::Text(text) if text.contains("\"next\"") => {
                    events.fetch_add(1, Ordering::Relaxed);
                }
                _ => {}
            }
        }
        None
    })
}

/// SIGTERM with open subscriptions and requests in flight: every subscriber gets a Close frame
/// with 1012, every request already sent gets its answer, and the process exits in time.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sigterm_closes_websockets_and_finishes_requests() {
    let mut server = Server::start("").await;
    let client = reqwest::Client::new();
    let url = server.url();
    let nurse = login(&client, &url, NURSE).await;
    let events = Arc::new(AtomicU64::new(0));
    let mut sockets = Vec::new();
    for query in ["subscription { observationAlerts { resync } }", "subscription { questionEvents { kind } }"] {
        sockets.push(subscribe(server.port, &nurse, query, events.clone()).await);
    }
    // Logins hash passwords two at a time, so a queue of them is still being served at SIGTERM.
    let in_flight: Vec<_> = (0..24)
        .map(|_| {
            let (client, url) = (client.clone(), url.clone());
            tokio::spawn(async move {
                let token = login(&client, &url, NURSE).await;
                (token, Instant::now())
            })
        })
        .collect();
    tokio::time::sleep(Duration::from_millis(200)).await;
    let stopping = Instant::now();
    server.terminate();
    let mut after_sigterm = 0;
    for request in in_flight {
        let (token, answered) = request.await.expect("the request was answered, not cut off");
        assert!(!token.is_empty());
        after_sigterm += usize::from(answered > stopping);
    }
    assert!(after_sigterm > 0, "some requests were still in flight at SIGTERM");
    for socket in sockets {
        let code = tokio::time::timeout(EXIT_BOUND, socket).await.expect("closed in time").expect("task");
        assert_eq!(code, Some(1012), "a Close frame with 1012 (service restart)");
    }
    let status = server.exited_within(EXIT_BOUND).await;
    assert!(status.success(), "a clean exit: {status}");
    eprintln!(
        "shutdown: {after_sigterm} of 24 requests answered after SIGTERM, subscribers closed with 1012, exit after {:?}",
        stopping.elapsed()
    );
}

#[derive(Debug, Clone, Copy)]
struct Sample {
    seconds: f64,
    rss_kb: u64,
    connections: u64,
    requests: u64,
    errors: u64,
    events: u64,
}

/// The value a `fraction` of `values` lies below (0.5: the median).
fn quantile(values: &mut [u64], fraction: f64) -> u64 {
    values.sort_unstable();
    values.get((values.len() as f64 * fraction) as usize).copied().unwrap_or(0)
}

fn median(values: &mut [u64]) -> u64 {
    quantile(values, 0.5)
}

/// The soak: `subscriptions` open subscriptions and mixed load for `seconds`, then SIGTERM.
async fn soak(backend: &str, database_url: &str, count_connections: Option<(String, String)>) {
    let seconds = env_number("PLEJELINK_SOAK_SECONDS", 20);
    let subscriptions = env_number("PLEJELINK_SOAK_SUBSCRIPTIONS", 200);
    let mut server = Server::start(database_url).await;
    let url = server.url();
    let client = reqwest::Client::new();
    let nurse = login(&client, &url, NURSE).await;
    let doctor = login(&client, &url, DOCTOR).await;
    let roster = gql(
        &client,
        &url,
        Some(&nurse),
        "{ careCentres { id residents(first: 8) { edges { node { id } } } } }",
        json!({}),
    )
    .await
    .expect("roster");
    let centre = roster["careCentres"][0]["id"].clone();
    let residents: Vec<Value> = roster["careCentres"][0]["residents"]["edges"]
        .as_array()
        .expect("edges")
        .iter()
        .map(|e| e["node"]["id"].clone())
        .collect();

    let idle_rss = server.rss_kb();
    let events = Arc::new(AtomicU64::new(0));
    let mut sockets = Vec::new();
    for n in 0..subscriptions {
        let (token, query) = match n % 3 {
            0 => (&nurse, "subscription { observationAlerts { resync observation { id } } }"),
            1 => (&doctor, "subscription { questionEvents { kind } }"),
            _ => (&nurse, "subscription { meetingEvents { kind } }"),
        };
        sockets.push(subscribe(server.port, token, query, events.clone()).await);
    }

    // Warm-up: rounds of logins, so the memory the password hashers keep (19 MiB each) is in the
    // baseline; more logins later must not add to it.
    for _ in 0..3 {
        futures_util::future::join_all((0..4).map(|_| login(&client, &url, NURSE))).await;
    }
    let requests = Arc::new(AtomicU64::new(0));
    let errors = Arc::new(AtomicU64::new(0));
    let first_error = Arc::new(std::sync::Mutex::new(None::<String>));
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let mut workers = Vec::new();
    let relogin = Duration::from_secs((seconds / 4).clamp(1, 60));
    for worker in 0..6u64 {
        let (client, url, centre, residents) = (client.clone(), url.clone(), centre.clone(), residents.clone());
        let (requests, errors, first_error, stop) =
            (requests.clone(), errors.clone(), first_error.clone(), stop.clone());
        workers.push(tokio::spawn(async move {
            let email = if worker < 4 { NURSE } else { DOCTOR };
            let mut token = login(&client, &url, email).await;
            let mut logged_in = Instant::now();
            let mut n = 0u64;
            while !stop.load(Ordering::Relaxed) {
                // Staff log in all day (and access tokens live 15 minutes); a login hashes with
                // 19 MiB, which the allocator may keep per thread.
                if logged_in.elapsed() > relogin {
                    token = login(&client, &url, email).await;
                    logged_in = Instant::now();
                }
                n += 1;
                let result = if worker >= 4 {
                    gql(&client, &url, Some(&token), QUEUE, json!({})).await
                } else if n.is_multiple_of(2) {
                    gql(&client, &url, Some(&token), ROSTER, json!({ "c": centre })).await
                } else {
                    // Now and then a MEDIUM NEWS2 (6 points), which alerts the subscribers.
                    let (pulse, respiration) = if n % 50 == 1 { (135, 25) } else { (70 + n % 20, 16) };
                    let input = json!({ "i": { "clientMutationId": uuid::Uuid::new_v4().to_string(),
                        "residentId": residents[(n % residents.len() as u64) as usize],
                        "recordedAt": chrono::Utc::now().to_rfc3339(), "pulse": pulse, "respirationRate": respiration } });
                    gql(&client, &url, Some(&token), RECORD, input).await
                };
                requests.fetch_add(1, Ordering::Relaxed);
                if let Err(error) = result {
                    errors.fetch_add(1, Ordering::Relaxed);
                    first_error.lock().expect("lock").get_or_insert(error);
                }
                tokio::time::sleep(Duration::from_millis(1)).await;
            }
        }));
    }

    let admin = match &count_connections {
        Some((admin_url, _)) => Some(Database::connect(admin_url).await.expect("admin connection")),
        None => None,
    };
    let started = Instant::now();
    let mut samples = Vec::new();
    while started.elapsed() < Duration::from_secs(seconds) {
        tokio::time::sleep(Duration::from_millis(500)).await;
        let connections = match (&admin, &count_connections) {
            (Some(admin), Some((_, name))) => {
                let sql = format!("SELECT COUNT(*) AS n FROM pg_stat_activity WHERE datname = '{name}'");
                let row = admin.query_one_raw(Statement::from_string(admin.get_database_backend(), sql)).await;
                row.expect("pg_stat_activity").expect("row").try_get::<i64>("", "n").expect("n") as u64
            }
            _ => server.sqlite_connections(),
        };
        samples.push(Sample {
            seconds: started.elapsed().as_secs_f64(),
            rss_kb: server.rss_kb(),
            connections,
            requests: requests.load(Ordering::Relaxed),
            errors: errors.load(Ordering::Relaxed),
            events: events.load(Ordering::Relaxed),
        });
    }
    stop.store(true, Ordering::Relaxed);
    for worker in workers {
        worker.await.expect("worker");
    }

    // The curve, for a look after a long run.
    let csv = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("soak-{backend}.csv"));
    let mut text = String::from("seconds,rss_kb,connections,requests,errors,events\n");
    for s in &samples {
        text.push_str(&format!(
            "{:.1},{},{},{},{},{}\n",
            s.seconds, s.rss_kb, s.connections, s.requests, s.errors, s.events
        ));
    }
    std::fs::write(&csv, text).expect("write the curve");

    // After a warm-up (the first fifth), the last quarter's RSS floor may not be more than
    // RSS_TOLERANCE above the first quarter's. The floor is each quarter's lower quartile: a leak
    // raises every sample, while a burst of work (200 subscribers served one event at once on a
    // busy machine) raises a few samples by tens of MiB for a second and is freed again; with the
    // median, two such bursts in the last quarter failed the run (CI, PostgreSQL: 96 → 119 MiB
    // with samples 95…140 MiB and the floor unchanged).
    let steady = &samples[samples.len() / 5..];
    let quarter = (steady.len() / 4).max(1);
    let floor = |samples: &[Sample]| quantile(&mut samples.iter().map(|s| s.rss_kb).collect::<Vec<_>>(), 0.25);
    let early_rss = floor(&steady[..quarter]);
    let late_rss = floor(&steady[steady.len() - quarter..]);
    let max_connections = samples.iter().map(|s| s.connections).max().unwrap_or(0);
    let early_connections = steady[..quarter].iter().map(|s| s.connections).max().unwrap_or(0);
    let late_connections =
        median(&mut steady[steady.len() - quarter..].iter().map(|s| s.connections).collect::<Vec<_>>());
    let total = requests.load(Ordering::Relaxed);
    let failed = errors.load(Ordering::Relaxed);
    eprintln!(
        "soak {backend}: {seconds} s, {subscriptions} subscriptions, {total} requests, {failed} errors, {} events pushed; \
         RSS {idle_rss} KiB before the subscriptions, {early_rss} KiB early, {late_rss} KiB late (lower quartiles), connections max {max_connections}, \
         {early_connections} early, {late_connections} late; curve in {}",
        events.load(Ordering::Relaxed),
        csv.display()
    );
    assert_eq!(failed, 0, "no request fails: {:?}", first_error.lock().expect("lock"));
    assert!(total > seconds * 10, "the load ran: {total} requests");
    assert!(
        late_rss as f64 <= early_rss as f64 * RSS_TOLERANCE,
        "memory grows: {early_rss} KiB → {late_rss} KiB (see {})",
        csv.display()
    );
    assert!(
        late_connections <= early_connections.max(1) + 1,
        "connections grow: {early_connections} → {late_connections}"
    );
    assert!(max_connections <= MAX_CONNECTIONS, "at most the pool and the event listener: {max_connections}");

    // And at the end every subscriber is closed properly.
    server.terminate();
    for socket in sockets {
        let code = tokio::time::timeout(EXIT_BOUND, socket).await.expect("closed in time").expect("task");
        assert_eq!(code, Some(1012), "a Close frame with 1012");
    }
    let status = server.exited_within(EXIT_BOUND).await;
    assert!(status.success(), "a clean exit: {status}");
}

/// How much the late median RSS may exceed the early one.
const RSS_TOLERANCE: f64 = 1.1;
/// The PostgreSQL pool (16) and the event listener (1); SQLite's pool is 8 (open database files).
const MAX_CONNECTIONS: u64 = 17;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn soak_sqlite() {
    soak("sqlite", "", None).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn soak_postgres() {
    let Some(admin) = std::env::var("PLEJELINK_TEST_POSTGRES_URL").ok().filter(|u| !u.is_empty()) else {
        assert!(std::env::var("PLEJELINK_TEST_REQUIRE_POSTGRES").as_deref() != Ok("1"), "PostgreSQL required");
        eprintln!("SKIPPED: PostgreSQL soak (set PLEJELINK_TEST_POSTGRES_URL)");
        return;
    };
    let name = format!("plejelink_soak_{}", uuid::Uuid::now_v7().simple());
    let db = Database::connect(&admin).await.expect("admin");
    let backend = db.get_database_backend();
    db.execute_raw(Statement::from_string(backend, format!("CREATE DATABASE \"{name}\""))).await.expect("create");
    let url = format!("{}/{name}", admin.rsplit_once('/').expect("db in URL").0);
    soak("postgres", &url, Some((admin.clone(), name.clone()))).await;
    let drop = format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)");
    db.execute_raw(Statement::from_string(backend, drop)).await.expect("drop");
}
