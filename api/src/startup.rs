//! Builds the application (database, migrations, keys, router) and serves it.

use crate::auth::jwt::JwtKeys;
use crate::auth::rate_limit::LoginLimits;
use crate::clock::Clock;
use crate::configuration::Settings;
use crate::db;
use crate::events::{self, EventBus, Events};
use crate::graphql::{build_http_schema, build_served_schema};
use crate::http::{self, AppState};
use crate::trusted_documents::TrustedDocuments;
use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::{HeaderValue, header};
use axum::routing::{get, post};
use sea_orm::DatabaseConnection;
use std::future::IntoFuture;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use tokio::net::TcpListener;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::trace::{DefaultOnFailure, TraceLayer};

/// How long a stopping server waits for in-flight requests.
pub const SHUTDOWN_GRACE: std::time::Duration = std::time::Duration::from_secs(10);

/// Largest accepted request body; real operations are a few kilobytes.
pub const BODY_LIMIT: usize = 256 * 1024;

pub struct Application {
    listener: TcpListener,
    router: Router,
    pub state: AppState,
}

/// Connects with a statement counter attached.
pub async fn connect_counted(url: &str) -> anyhow::Result<(DatabaseConnection, Arc<AtomicU64>)> {
    let mut db = db::connect(url).await?;
    let statements = Arc::new(AtomicU64::new(0));
    let counter = statements.clone();
    db.set_metric_callback(move |_| {
        counter.fetch_add(1, Ordering::Relaxed);
    });
    Ok((db, statements))
}

impl Application {
    /// Migrates, connects and binds `settings.bind` (port 0 picks a free port).
    pub async fn build(settings: &Settings, clock: Clock) -> anyhow::Result<Self> {
        db::migrate(&settings.database_url).await?;
        let (db, statements) = connect_counted(&settings.database_url).await?;
        let keys = Arc::new(JwtKeys::load(settings)?);
        let bus = EventBus::new();
        if db.get_database_backend() == sea_orm::DatabaseBackend::Postgres {
            events::spawn_postgres_listener(settings.database_url.clone(), bus.clone());
        }
        let events = Events::new(bus, db.clone());
        // Agendas go out at their deadline also when no one asks (DESIGN §5).
        crate::services::meetings::spawn_agenda_sender(
            db.clone(),
            events.clone(),
            clock.clone(),
            settings.agenda_send_period,
        );
        let trusted_documents = Arc::new(TrustedDocuments::load(
            &settings.clients_dir,
            settings.trusted_documents_dir.as_deref(),
            settings.is_production(),
        )?);
        tracing::info!(documents = trusted_documents.len(), "trusted documents loaded");
        let state = AppState {
            access_log: crate::audit::AccessLog::new(db.clone()),
            db,
            schema: build_http_schema(settings.is_production()),
            ws_schema: build_served_schema(settings.is_production(), trusted_documents.clone()),
            trusted_documents,
            in_flight: Arc::new(tokio::sync::Semaphore::new(settings.max_in_flight)),
            keys,
            clock,
            events,
            login_limits: Arc::new(LoginLimits::new(
                settings.login_failures_per_account,
                settings.login_attempts_per_address,
            )),
            client_ip_header: settings.client_ip_header.clone(),
            statements,
            stopping: Arc::new(tokio::sync::watch::Sender::new(false)),
        };
        let router = router(state.clone(), settings);
        let listener = TcpListener::bind(settings.bind).await?;
        Ok(Self { listener, router, state })
    }

    pub fn port(&self) -> u16 {
        self.listener.local_addr().map(|a| a.port()).unwrap_or_default()
    }

    /// Serves until SIGINT or SIGTERM, then stops accepting, closes WebSockets with 1012 (service
    /// restart: clients reconnect elsewhere or later) and lets in-flight requests finish, for at
    /// most [`SHUTDOWN_GRACE`].
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        let stopping = self.state.stopping.clone();
        let signal = {
            let stopping = stopping.clone();
            async move {
                shutdown_signal().await;
                stopping.send_replace(true);
            }
        };
        let service = self.router.into_make_service_with_connect_info::<std::net::SocketAddr>();
        let server = axum::serve(self.listener, service).with_graceful_shutdown(signal);
        let served = async {
            let result = server.into_future().await;
            // axum does not track upgraded connections: each WebSocket holds a receiver until
            // its Close frame is sent.
            stopping.closed().await;
            result
        };
        let deadline = async {
            {
                let mut stopped = stopping.subscribe();
                let _ = stopped.wait_for(|stopping| *stopping).await;
            }
            tokio::time::sleep(SHUTDOWN_GRACE).await;
        };
        tokio::select! {
            result = served => result,
            () = deadline => {
                tracing::warn!("in-flight connections still open after the grace period; stopping anyway");
                Ok(())
            }
        }
    }
}

/// The API's answers are data, never pages: nothing may load from them or frame them.
const API_CSP: &str = "default-src 'none'; frame-ancestors 'none'";
/// GraphiQL (development only) loads its scripts and styles from a CDN; it may not be framed.
const GRAPHIQL_CSP: &str = "frame-ancestors 'none'";

fn header_layer(name: header::HeaderName, value: &'static str) -> SetResponseHeaderLayer<HeaderValue> {
    SetResponseHeaderLayer::overriding(name, HeaderValue::from_static(value))
}

fn router(state: AppState, settings: &Settings) -> Router {
    // Every API answer: not stored by any cache (answers carry tokens and health data), not
    // sniffed as another type, and under [`API_CSP`].
    let mut router = Router::new()
        .route(
            "/graphql",
            post(http::graphql).layer(axum::middleware::from_fn_with_state(state.clone(), http::shed_load)),
        )
        .route("/graphql/ws", get(http::graphql_ws))
        .route("/healthz", get(http::healthz))
        .route("/readyz", get(http::readyz))
        .route("/.well-known/jwks.json", get(http::jwks))
        .layer(header_layer(header::CACHE_CONTROL, "no-store"))
        .layer(header_layer(header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .layer(header_layer(header::CONTENT_SECURITY_POLICY, API_CSP));
    if !settings.is_production() {
        let graphiql = Router::new()
            .route("/graphiql", get(http::graphiql))
            .layer(header_layer(header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
            .layer(header_layer(header::CONTENT_SECURITY_POLICY, GRAPHIQL_CSP));
        router = router.merge(graphiql);
    }
    let mut router = router
        .merge(crate::clients::router(&settings.clients_dir))
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .layer(PropagateRequestIdLayer::x_request_id())
        // A shed request (503) is load, not a fault: warn, do not page anyone.
        .layer(TraceLayer::new_for_http().on_failure(DefaultOnFailure::new().level(tracing::Level::WARN)))
        .layer(SetRequestIdLayer::x_request_id(MakeRequestUuid));
    if let Some(hsts) = &settings.hsts {
        router = router.layer(SetResponseHeaderLayer::overriding(header::STRICT_TRANSPORT_SECURITY, hsts.clone()));
    }
    router.with_state(state)
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        if let Ok(mut signal) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            signal.recv().await;
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = terminate => {} }
    tracing::info!("shutting down");
}
