//! Black-box test harness: a real server on a random port over a fresh database (SQLite file or
//! a new PostgreSQL database per test), spoken to over real HTTP.

use chrono::{DateTime, SubsecRound, Utc};
use plejelink::clock::Clock;
use plejelink::configuration::Settings;
use plejelink::demo::{self, DemoSize};
use plejelink::startup::Application;
use sea_orm::{ConnectionTrait, Database, DatabaseConnection, Statement};
use serde_json::{Value, json};
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// Runs an `async fn(TestApp)` scenario once per backend: `backends!(scenario);` makes the tests
/// `scenario::sqlite` and `scenario::postgres`.
#[macro_export]
macro_rules! backends {
    ($($scenario:ident),* $(,)?) => {$(
        mod $scenario {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                let app = $crate::spawn_app($crate::Backend::Sqlite).await.expect("SQLite is always available");
                super::$scenario(app).await;
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                if let Some(app) = $crate::spawn_app($crate::Backend::Postgres).await {
                    super::$scenario(app).await;
                }
            }
        }
    )*};
}

/// The demo size the tests load: small, but every scenario of the demo is in it.
pub fn test_demo_size() -> DemoSize {
    DemoSize { centres: 2, residents_per_centre: 12, days: 3, observations_per_day: 2 }
}

pub struct TestApp {
    pub address: String,
    pub client: reqwest::Client,
    pub db: DatabaseConnection,
    pub statements: Arc<AtomicU64>,
    pub clock: Clock,
    pub now: DateTime<Utc>,
    pub backend: Backend,
    /// The database URL, to start more instances on the same database.
    pub database_url: String,
    data_dir: PathBuf,
    /// Removed (file or PostgreSQL database) when the test ends.
    _database: TestDatabase,
}

enum TestDatabase {
    Sqlite(PathBuf),
    Postgres { admin_url: String, name: String },
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        match self {
            TestDatabase::Sqlite(dir) => {
                let _ = std::fs::remove_dir_all(dir);
            }
            TestDatabase::Postgres { admin_url, name } => {
                let (url, name) = (admin_url.clone(), name.clone());
                // Drop runs outside async; drop the database from a thread with its own runtime.
                let _ = std::thread::spawn(move || {
                    let Ok(rt) = tokio::runtime::Builder::new_current_thread().enable_all().build() else {
                        return;
                    };
                    rt.block_on(async {
                        if let Ok(db) = Database::connect(&url).await {
                            let sql = format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)");
                            let _ = db.execute_raw(Statement::from_string(db.get_database_backend(), sql)).await;
                        }
                    });
                })
                .join();
            }
        }
    }
}

/// A fresh empty database: a SQLite file in a new directory, or a new PostgreSQL database on the
/// server of `PLEJELINK_TEST_POSTGRES_URL`. PostgreSQL without that variable skips loudly, unless
/// `PLEJELINK_TEST_REQUIRE_POSTGRES=1` (as in CI), which makes it fail.
async fn fresh_database(backend: Backend) -> Option<(String, PathBuf, TestDatabase)> {
    let dir = std::env::temp_dir().join(format!("plejelink-test-{}", uuid::Uuid::now_v7().simple()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    match backend {
        Backend::Sqlite => {
            let url = format!("sqlite://{}?mode=rwc", dir.join("plejelink.sqlite").display());
            Some((url, dir.clone(), TestDatabase::Sqlite(dir)))
        }
        Backend::Postgres => {
            let Some(admin_url) = std::env::var("PLEJELINK_TEST_POSTGRES_URL").ok().filter(|u| !u.is_empty()) else {
                if std::env::var("PLEJELINK_TEST_REQUIRE_POSTGRES").as_deref() == Ok("1") {
                    panic!("PLEJELINK_TEST_REQUIRE_POSTGRES=1 but PLEJELINK_TEST_POSTGRES_URL is not set");
                }
                eprintln!("SKIPPED: PostgreSQL test (set PLEJELINK_TEST_POSTGRES_URL to run it)");
                return None;
            };
            let name = format!("plejelink_test_{}", uuid::Uuid::now_v7().simple());
            let admin = Database::connect(&admin_url).await.expect("connect to PLEJELINK_TEST_POSTGRES_URL");
            admin
                .execute_raw(Statement::from_string(
                    admin.get_database_backend(),
                    format!("CREATE DATABASE \"{name}\""),
                ))
                .await
                .expect("create test database");
            admin.close().await.ok();
            let (base, _) = admin_url.rsplit_once('/').expect("URL with a database name");
            let url = format!("{base}/{name}");
            Some((url, dir, TestDatabase::Postgres { admin_url, name }))
        }
    }
}

/// A running server over an empty, migrated database.
pub async fn spawn_empty_app(backend: Backend) -> Option<TestApp> {
    spawn_empty_app_with(backend, &[]).await
}

/// Like [`spawn_empty_app`], with extra `PLEJELINK_*` settings.
pub async fn spawn_empty_app_with(backend: Backend, extra: &[(&str, &str)]) -> Option<TestApp> {
    let (url, dir, database) = fresh_database(backend).await?;
    let settings = Settings::from_lookup(|key| {
        let given = extra.iter().find(|(k, _)| *k == key).map(|(_, v)| (*v).to_owned());
        given.or_else(|| match key {
            "PLEJELINK_DATABASE_URL" => Some(url.clone()),
            "PLEJELINK_DATA_DIR" => Some(dir.display().to_string()),
            "PLEJELINK_BIND" => Some("127.0.0.1:0".into()),
            "PLEJELINK_LOG" => Some("warn".into()),
            "PLEJELINK_CLIENTS_DIR" => Some(dir.join("clients").display().to_string()),
            // Every test logs in from 127.0.0.1 many times.
            "PLEJELINK_LOGIN_ATTEMPTS_PER_ADDRESS" => Some("100000".into()),
            "PLEJELINK_AGENDA_SEND_SECONDS" => Some("1".into()),
            _ => None,
        })
    })
    .expect("test settings");
    plejelink::telemetry::init(&settings);
    // Microseconds: both databases keep timestamps to the microsecond.
    let now = Utc::now().trunc_subsecs(6);
    let clock = Clock::fixed(now);
    let app = Application::build(&settings, clock.clone()).await.expect("build app");
    let address = format!("http://127.0.0.1:{}", app.port());
    let db = app.state.db.clone();
    let statements = app.state.statements.clone();
    tokio::spawn(app.run_until_stopped());
    Some(TestApp {
        address,
        client: reqwest::Client::new(),
        db,
        statements,
        clock,
        now,
        backend,
        database_url: url,
        data_dir: dir,
        _database: database,
    })
}

/// A running server with the test-sized demo dataset loaded at the test's fixed "now".
pub async fn spawn_app(backend: Backend) -> Option<TestApp> {
    spawn_app_with(backend, &[]).await
}

/// Like [`spawn_app`], with extra `PLEJELINK_*` settings.
pub async fn spawn_app_with(backend: Backend, extra: &[(&str, &str)]) -> Option<TestApp> {
    let app = spawn_empty_app_with(backend, extra).await?;
    let hash = plejelink::auth::password::hash_password(demo::DEMO_PASSWORD.into()).await.expect("hash");
    demo::load(&app.db, &test_demo_size(), app.now, &hash).await.expect("load demo");
    Some(app)
}

impl TestApp {
    /// Another server instance on the same database (several instances behind a balancer).
    /// Returns its address.
    pub async fn spawn_instance(&self) -> String {
        let dir = std::env::temp_dir().join(format!("plejelink-instance-{}", uuid::Uuid::now_v7().simple()));
        let settings = Settings::from_lookup(|key| match key {
            "PLEJELINK_DATABASE_URL" => Some(self.database_url.clone()),
            "PLEJELINK_DATA_DIR" => Some(dir.display().to_string()),
            "PLEJELINK_BIND" => Some("127.0.0.1:0".into()),
            "PLEJELINK_LOG" => Some("warn".into()),
            // Instances behind one balancer share the signing key.
            "PLEJELINK_JWT_KEY_FILE" => Some(self.data_dir.join("jwt-signing-key.pem").display().to_string()),
            _ => None,
        })
        .expect("settings");
        let app = Application::build(&settings, self.clock.clone()).await.expect("second instance");
        let address = format!("http://127.0.0.1:{}", app.port());
        tokio::spawn(app.run_until_stopped());
        address
    }

    /// POSTs a GraphQL request and returns the whole response body.
    pub async fn gql(&self, token: Option<&str>, query: &str, variables: Value) -> Value {
        self.gql_status(token, query, variables).await.1
    }

    /// Like [`TestApp::gql`], with the HTTP status of the answer.
    pub async fn gql_status(&self, token: Option<&str>, query: &str, variables: Value) -> (u16, Value) {
        let response = self.graphql_request(token, query, variables).send().await.expect("request");
        let status = response.status().as_u16();
        (status, response.json().await.expect("JSON body"))
    }

    /// POSTs under a request id of its own (the access log's rows carry it); returns the id and
    /// the whole response body.
    pub async fn gql_traced(&self, token: Option<&str>, query: &str, variables: Value) -> (String, Value) {
        let request_id = uuid::Uuid::now_v7().to_string();
        let request = self.graphql_request(token, query, variables).header("x-request-id", &request_id);
        let body = request.send().await.expect("request").json().await.expect("JSON body");
        (request_id, body)
    }

    fn graphql_request(&self, token: Option<&str>, query: &str, variables: Value) -> reqwest::RequestBuilder {
        let request = self
            .client
            .post(format!("{}/graphql", self.address))
            .json(&json!({ "query": query, "variables": variables }));
        match token {
            Some(token) => request.bearer_auth(token),
            None => request,
        }
    }

    /// Like [`TestApp::gql`] but asserts there were no errors and returns `data`.
    pub async fn data(&self, token: &str, query: &str, variables: Value) -> Value {
        let body = self.gql(Some(token), query, variables).await;
        assert!(body.get("errors").is_none(), "unexpected errors: {body:#}");
        body["data"].clone()
    }

    /// Logs in a demo user and returns the access token.
    pub async fn login(&self, email: &str) -> String {
        self.login_with(email, demo::DEMO_PASSWORD).await
    }

    /// Logs in with a password and returns the access token.
    pub async fn login_with(&self, email: &str, password: &str) -> String {
        let body = self
            .gql(
                None,
                "mutation($e: String!, $p: String!) { login(email: $e, password: $p) { accessToken } }",
                json!({ "e": email, "p": password }),
            )
            .await;
        body["data"]["login"]["accessToken"].as_str().unwrap_or_else(|| panic!("login {email}: {body:#}")).to_owned()
    }

    /// Moves every refresh-token rotation back past the grace window for a lost answer, so that
    /// presenting a rotated token again counts as reuse.
    pub async fn age_refresh_rotations(&self) {
        use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, sea_query::Expr};
        entities::refresh_token::Entity::update_many()
            .col_expr(
                entities::refresh_token::Column::RotatedAt,
                Expr::value(Utc::now() - plejelink::services::sessions::GRACE - chrono::Duration::seconds(1)),
            )
            .filter(entities::refresh_token::Column::RotatedAt.is_not_null())
            .exec(&self.db)
            .await
            .expect("age the rotations");
    }

    /// SQL statements the server ran so far.
    pub fn statement_count(&self) -> u64 {
        self.statements.load(Ordering::SeqCst)
    }
}

/// The `extensions.code` of the first error, if any.
/// The database UUID inside a Relay global id (base64url of `Type:uuid`).
pub fn uuid_of(id: &Value) -> uuid::Uuid {
    use base64::Engine;
    let text = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(id.as_str().expect("id")).expect("base64url");
    let text = String::from_utf8(text).expect("utf-8");
    text.split_once(':').expect("Type:uuid").1.parse().expect("uuid")
}

pub fn error_code(body: &Value) -> Option<&str> {
    body["errors"][0]["extensions"]["code"].as_str()
}

/// Every error code in a response, in order.
pub fn error_codes(body: &Value) -> Vec<String> {
    body["errors"]
        .as_array()
        .map(|errors| errors.iter().filter_map(|e| e["extensions"]["code"].as_str().map(str::to_owned)).collect())
        .unwrap_or_default()
}

type Socket = tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// A `graphql-transport-ws` subscription opened by [`TestApp::subscribe`].
pub struct Subscription {
    socket: Socket,
}

/// Opens a subscription on a server at `address` (see [`TestApp::subscribe`]).
pub async fn raw_subscription(address: &str, token: &str, query: &str) -> Subscription {
    open_subscription(address, token, json!({ "query": query })).await
}

async fn open_subscription(address: &str, token: &str, payload: Value) -> Subscription {
    use futures_util::{SinkExt, StreamExt};
    use tokio_tungstenite::tungstenite::client::IntoClientRequest;
    use tokio_tungstenite::tungstenite::{Message, http::HeaderValue};
    let url = format!("{}/graphql/ws", address.replace("http://", "ws://"));
    let mut request = url.into_client_request().expect("ws request");
    request.headers_mut().insert("Sec-WebSocket-Protocol", HeaderValue::from_static("graphql-transport-ws"));
    let (mut socket, _) = tokio_tungstenite::connect_async(request).await.expect("ws connect");
    let init = json!({ "type": "connection_init", "payload": { "token": token } });
    socket.send(Message::text(init.to_string())).await.expect("init");
    let ack = socket.next().await.expect("ack").expect("ack message");
    assert!(ack.to_text().expect("text").contains("connection_ack"), "no ack: {ack:?}");
    let start = json!({ "id": "1", "type": "subscribe", "payload": payload });
    socket.send(Message::text(start.to_string())).await.expect("subscribe");
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    Subscription { socket }
}

impl TestApp {
    /// Opens `/graphql/ws`, authenticates in `connection_init` and starts `query`. Returns once the
    /// server had time to attach the subscription to the event bus.
    pub async fn subscribe(&self, token: &str, query: &str, variables: Value) -> Subscription {
        self.subscribe_with(token, json!({ "query": query, "variables": variables })).await
    }

    /// Like [`TestApp::subscribe`] with a raw `subscribe` payload (e.g. a trusted document id).
    pub async fn subscribe_with(&self, token: &str, payload: Value) -> Subscription {
        open_subscription(&self.address, token, payload).await
    }
}

impl Subscription {
    /// Waits up to `wait` seconds for the server to close the socket and returns the close code;
    /// `None` if it stayed open. Messages meanwhile are returned as an error: nothing may arrive.
    pub async fn closed(&mut self, wait: u64) -> Result<Option<u16>, Value> {
        use futures_util::StreamExt;
        use tokio_tungstenite::tungstenite::Message;
        let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(wait);
        loop {
            let Ok(message) = tokio::time::timeout_at(deadline, self.socket.next()).await else { return Ok(None) };
            match message {
                Some(Ok(Message::Close(frame))) => return Ok(frame.map(|f| u16::from(f.code))),
                Some(Ok(Message::Text(text))) => {
                    let value: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
                    // A subscription the server ended may say `complete` before the socket closes.
                    if matches!(value["type"].as_str(), Some("ping" | "pong" | "complete")) {
                        continue;
                    }
                    return Err(value);
                }
                Some(Ok(_)) => continue,
                // A reset or end without a Close frame.
                Some(Err(_)) | None => return Ok(Some(1006)),
            }
        }
    }

    /// The `payload` of the next `next` (or `error`) message, or `None` after `wait` seconds.
    pub async fn next(&mut self, wait: u64) -> Option<Value> {
        use futures_util::StreamExt;
        let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(wait);
        loop {
            let message = tokio::time::timeout_at(deadline, self.socket.next()).await.ok()??.ok()?;
            let Ok(text) = message.to_text() else { continue };
            let Ok(value) = serde_json::from_str::<Value>(text) else { continue };
            match value["type"].as_str() {
                Some("next") | Some("error") => return Some(value["payload"].clone()),
                Some("complete") => return None,
                _ => continue,
            }
        }
    }
}

/// A TCP proxy in front of a server that, for the connections it is told to, forwards the request
/// and then drops the connection as soon as the response starts: the server has finished (and
/// committed) but the client never sees the answer. Other connections pass through untouched.
/// Clients should not pool connections through it (`Client::builder().pool_max_idle_per_host(0)`),
/// so that each request is a connection of its own.
pub struct LossyProxy {
    /// `http://127.0.0.1:<port>`, to put in place of the server's address.
    pub address: String,
    lose: Arc<AtomicU64>,
    lost: Arc<AtomicU64>,
    task: tokio::task::JoinHandle<()>,
}

impl LossyProxy {
    pub async fn start(upstream: &str) -> Self {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let upstream = upstream.trim_start_matches("http://").to_owned();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind proxy");
        let address = format!("http://{}", listener.local_addr().expect("proxy address"));
        let (lose, lost) = (Arc::new(AtomicU64::new(0)), Arc::new(AtomicU64::new(0)));
        let (lose_, lost_) = (lose.clone(), lost.clone());
        let task = tokio::spawn(async move {
            while let Ok((mut client, _)) = listener.accept().await {
                let Ok(mut server) = tokio::net::TcpStream::connect(&upstream).await else { continue };
                let drop_response =
                    lose_.fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1)).is_ok();
                let lost = lost_.clone();
                tokio::spawn(async move {
                    if !drop_response {
                        let _ = tokio::io::copy_bidirectional(&mut client, &mut server).await;
                        return;
                    }
                    let (mut client_read, _client_write) = client.split();
                    let (mut server_read, mut server_write) = server.split();
                    let forward = async {
                        let _ = tokio::io::copy(&mut client_read, &mut server_write).await;
                        std::future::pending::<()>().await
                    };
                    let mut first = [0u8; 1];
                    // The first byte of the answer: the handler has returned. Both sockets are
                    // then dropped without passing anything back.
                    tokio::select! {
                        read = server_read.read(&mut first) => {
                            if read.is_ok_and(|n| n > 0) {
                                lost.fetch_add(1, Ordering::SeqCst);
                            }
                        }
                        () = forward => {}
                    }
                    let _ = server_write.shutdown().await;
                });
            }
        });
        Self { address, lose, lost, task }
    }

    /// The next `n` connections lose their response.
    pub fn lose_next(&self, n: u64) {
        self.lose.fetch_add(n, Ordering::SeqCst);
    }

    /// Responses dropped so far.
    pub fn lost(&self) -> u64 {
        self.lost.load(Ordering::SeqCst)
    }
}

impl Drop for LossyProxy {
    fn drop(&mut self) {
        self.task.abort();
    }
}
