//! HTTP: `POST /graphql` (JSON only, one operation per request, answered as `application/json` or,
//! when the client accepts it, GraphQL over HTTP's `application/graphql-response+json`), GraphiQL
//! in development, health and readiness, and the public signing keys.

use crate::auth::jwt::JwtKeys;
use crate::auth::rate_limit::LoginLimits;
use crate::auth::{TokenSubject, Viewer};
use crate::clock::Clock;
use crate::error::{AppError, AppResult};
use crate::events::Events;
use crate::graphql::PlejelinkSchema;
use crate::graphql::subscription::{SocketEnd, Subscriber};
use crate::graphql::{RequestState, loaders};
use crate::trusted_documents::TrustedDocuments;
use async_graphql::http::ALL_WEBSOCKET_PROTOCOLS;
use async_graphql::http::GraphiQLSource;
use async_graphql_axum::{GraphQLProtocol, GraphQLWebSocket};
use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::extract::ws::{CloseFrame, Message};
use axum::extract::{ConnectInfo, WebSocketUpgrade};
use axum::http::{HeaderMap, StatusCode, header};
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Response};
use chrono::{DateTime, Utc};
use futures_util::{SinkExt, StreamExt};
use sea_orm::DatabaseConnection;
use serde_json::{Value, json};
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::AtomicU64;

/// What the handlers share: built by [`crate::startup::Application::build`].
#[derive(Clone)]
pub struct AppState {
    pub db: DatabaseConnection,
    /// Where reads are logged (appended in groups; see [`crate::audit::AccessLog`]).
    pub access_log: crate::audit::AccessLog,
    /// The schema of `POST /graphql` (see [`crate::graphql::build_http_schema`]).
    pub schema: PlejelinkSchema,
    /// The schema of subscriptions over WebSocket (with the extensions that admit and name them).
    pub ws_schema: PlejelinkSchema,
    pub keys: Arc<JwtKeys>,
    pub clock: Clock,
    pub events: Events,
    pub login_limits: Arc<LoginLimits>,
    pub trusted_documents: Arc<TrustedDocuments>,
    /// Permits for GraphQL requests in flight (load shedding).
    pub in_flight: Arc<tokio::sync::Semaphore>,
    /// Header naming the client address behind a trusted proxy; else the peer address counts.
    pub client_ip_header: Option<String>,
    /// SQL statements run since start (tests bound statements per request with it).
    pub statements: Arc<AtomicU64>,
    /// Turns true when the server starts stopping; open WebSockets listen to it and close.
    pub stopping: Arc<tokio::sync::watch::Sender<bool>>,
}

fn error_body(code: &str, message: &str) -> Value {
    json!({ "errors": [{ "message": message, "extensions": { "code": code } }] })
}

/// A whole-request error in the GraphQL response shape.
fn error_json(err: AppError) -> Value {
    let error = async_graphql::Error::from(err).into_server_error(Default::default());
    json!({ "errors": [error] })
}

/// The GraphQL-over-HTTP response media type.
const GRAPHQL_RESPONSE_JSON: &str = "application/graphql-response+json";

/// How a `/graphql` answer is written. The apps send `application/json` and get what they always
/// got: 200 also when the document does not parse or validate. A client that accepts
/// `application/graphql-response+json` gets that media type, and such a failure (nothing was
/// executed) as 400 without a `data` entry, as the GraphQL-over-HTTP spec recommends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Media {
    Json,
    GraphqlResponse,
}

impl Media {
    /// `application/graphql-response+json` when `Accept` lists it (with a non-zero quality).
    fn accepted(headers: &HeaderMap) -> Self {
        let accepts =
            headers.get_all(header::ACCEPT).iter().filter_map(|v| v.to_str().ok()).flat_map(|v| v.split(',')).any(
                |item| {
                    let mut parts = item.split(';');
                    let media = parts.next().unwrap_or_default().trim();
                    let quality =
                        parts.find_map(|p| p.trim().strip_prefix("q=")).and_then(|q| q.trim().parse::<f32>().ok());
                    media.eq_ignore_ascii_case(GRAPHQL_RESPONSE_JSON) && quality.is_none_or(|q| q > 0.0)
                },
            );
        if accepts { Self::GraphqlResponse } else { Self::Json }
    }

    fn answer(self, status: StatusCode, body: impl serde::Serialize) -> Response {
        let mut response = (status, Json(body)).into_response();
        if self == Self::GraphqlResponse {
            response
                .headers_mut()
                .insert(header::CONTENT_TYPE, header::HeaderValue::from_static(GRAPHQL_RESPONSE_JSON));
        }
        response
    }

    /// The executed (or refused) request's answer. A response without data whose errors have no
    /// path failed before execution (parse, validation, limits, variables): a field error always
    /// has a path.
    fn graphql(self, response: async_graphql::Response) -> Response {
        let refused = response.data == async_graphql::Value::Null
            && !response.errors.is_empty()
            && response.errors.iter().all(|e| e.path.is_empty());
        if self == Self::Json || !refused {
            return self.answer(StatusCode::OK, response);
        }
        #[derive(serde::Serialize)]
        struct Refused<'a> {
            errors: &'a [async_graphql::ServerError],
        }
        self.answer(StatusCode::BAD_REQUEST, Refused { errors: &response.errors })
    }

    /// A whole-request failure of the server's own (not the client's): 503 when retrying soon may
    /// help (database unreachable, or busy: with `Retry-After`), else 500.
    fn failure(self, err: AppError) -> Response {
        let status = match err {
            AppError::Busy(_) | AppError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            _ => StatusCode::INTERNAL_SERVER_ERROR,
        };
        let busy = matches!(err, AppError::Busy(_));
        let mut response = self.answer(status, error_json(err));
        if busy {
            response.headers_mut().insert(header::RETRY_AFTER, crate::error::BUSY_RETRY_AFTER_SECONDS.into());
        }
        response
    }
}

fn bearer(headers: &HeaderMap) -> Option<&str> {
    headers.get(header::AUTHORIZATION)?.to_str().ok()?.strip_prefix("Bearer ").map(str::trim)
}

/// Who an access token speaks for, and until when.
struct Authenticated {
    viewer: Viewer,
    subject: TokenSubject,
    expires_at: DateTime<Utc>,
}

/// The one way from an access token (a request's bearer token or a socket's `connection_init`)
/// to a viewer: a bad or expired token, or a session that ended, is `UNAUTHENTICATED`.
async fn authenticate(state: &AppState, token: &str, now: DateTime<Utc>) -> AppResult<Authenticated> {
    let claims = state.keys.verify_access(token)?;
    let subject = TokenSubject::of(&claims)?;
    let expires_at = DateTime::from_timestamp(claims.exp, 0).ok_or(AppError::Unauthenticated)?;
    let viewer = Viewer::load(&state.db, subject, now).await?;
    Ok(Authenticated { viewer, subject, expires_at })
}

/// Resolves the viewer of the request's bearer token; no token is an anonymous request
/// (which may only log in).
async fn viewer(state: &AppState, headers: &HeaderMap, now: DateTime<Utc>) -> AppResult<Option<Viewer>> {
    match bearer(headers) {
        Some(token) => Ok(Some(authenticate(state, token, now).await?.viewer)),
        None => Ok(None),
    }
}

/// The one place a request's data is built, for `POST /graphql` and for a socket's subscriptions:
/// its DataLoaders (for "today" in Denmark) and its [`RequestState`].
fn insert_request_state(
    data: &mut async_graphql::Data,
    state: &AppState,
    viewer: Option<Viewer>,
    now: DateTime<Utc>,
    request_id: String,
    client: String,
) {
    data.insert(loaders::loaders(state.db.clone(), crate::clock::copenhagen_date(now)));
    data.insert(RequestState {
        db: state.db.clone(),
        keys: state.keys.clone(),
        events: state.events.clone(),
        viewer,
        now,
        request_id,
        client,
        login_limits: state.login_limits.clone(),
    });
}

/// The client address: the configured proxy header's first entry, else the TCP peer.
fn client_address(state: &AppState, headers: &HeaderMap, peer: SocketAddr) -> String {
    state
        .client_ip_header
        .as_deref()
        .and_then(|name| headers.get(name))
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(',').next())
        .map(|v| v.trim().to_owned())
        .unwrap_or_else(|| peer.ip().to_string())
}

pub async fn graphql(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let media = Media::accepted(&headers);
    let reject = |status, code, message| media.answer(status, error_body(code, message));
    let is_json = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(';').next().is_some_and(|m| m.trim().eq_ignore_ascii_case("application/json")));
    if !is_json {
        return reject(StatusCode::UNSUPPORTED_MEDIA_TYPE, "VALIDATION", "Content-Type must be application/json");
    }
    let mut value: Value = match serde_json::from_slice(&body) {
        Ok(value) => value,
        Err(_) => return reject(StatusCode::BAD_REQUEST, "VALIDATION", "The body is not valid JSON"),
    };
    if value.is_array() {
        return reject(StatusCode::BAD_REQUEST, "VALIDATION", "Batched requests are not supported");
    }
    let now = state.clock.now();
    let viewer = match viewer(&state, &headers, now).await {
        Ok(viewer) => viewer,
        Err(AppError::Unauthenticated) => {
            return media.answer(StatusCode::UNAUTHORIZED, error_json(AppError::Unauthenticated));
        }
        Err(err) => return media.failure(err),
    };
    // A trusted document replaces the query text (and in production, text is for ADMIN only).
    if let Some(object) = value.as_object_mut() {
        let document = object.remove("documentId");
        let text = match object.get("query") {
            Some(Value::String(text)) => text.as_str(),
            None | Some(Value::Null) if document.is_some() => "",
            _ => {
                let error = AppError::validation("query", "Send the query text as a string, or a documentId");
                return media.answer(StatusCode::BAD_REQUEST, error_json(error));
            }
        };
        let role = viewer.as_ref().map(|v| v.role);
        match state.trusted_documents.admit(role, document.as_ref().and_then(Value::as_str), text) {
            Ok(query) => {
                object.insert("query".into(), Value::String(query));
            }
            Err(err) => return media.answer(StatusCode::BAD_REQUEST, error_json(err)),
        }
    }
    let request: async_graphql::Request = match serde_json::from_value(value) {
        Ok(request) => request,
        Err(_) => return reject(StatusCode::BAD_REQUEST, "VALIDATION", "Not a GraphQL request"),
    };
    let request_id = headers
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
        .unwrap_or_else(|| uuid::Uuid::now_v7().to_string());
    if let Some(viewer) = &viewer {
        viewer.audit.set_request(&request_id, request.operation_name.as_deref());
    }
    let audited = viewer.clone();
    let signed_in = crate::graphql::SignedIn::new(&request_id, request.operation_name.as_deref());
    let mut request = request.data(signed_in.clone());
    let client = client_address(&state, &headers, peer);
    insert_request_state(&mut request.data, &state, viewer, now, request_id, client);
    let mut response = match crate::graphql::check_document(&mut request, audited.as_ref()) {
        Ok(()) => state.schema.execute(request).await,
        Err(error) => async_graphql::Response::from_errors(vec![error]),
    };
    // The access log is written before the answer leaves; no log, no answer. A request that
    // signed in logs what its answer carries as the user it signed in.
    if let Some(viewer) = audited.as_ref().or(signed_in.get())
        && let Err(err) = state.access_log.flush(viewer, now).await
    {
        return media.failure(err);
    }
    // Errors raised by async-graphql itself (parse, validation, limits) carry no code: they are
    // all about the request the client sent.
    for error in &mut response.errors {
        let extensions = error.extensions.get_or_insert_with(Default::default);
        if extensions.get("code").is_none() {
            extensions.set("code", "VALIDATION");
        }
    }
    media.graphql(response)
}

/// How long one GraphQL request may take before the client gets 503 (and may retry: writes are
/// idempotent by their `clientMutationId`).
pub const REQUEST_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(30);

/// Beyond `PLEJELINK_MAX_IN_FLIGHT` requests at once, answer 503 at once instead of queueing:
/// memory stays bounded and clients back off and retry.
pub async fn shed_load(State(state): State<AppState>, request: axum::extract::Request, next: Next) -> Response {
    let busy = || {
        let body = Json(error_body("RATE_LIMITED", "The server is busy; try again shortly"));
        (StatusCode::SERVICE_UNAVAILABLE, [(header::RETRY_AFTER, "1")], body).into_response()
    };
    let Ok(_permit) = state.in_flight.clone().try_acquire_owned() else { return busy() };
    tokio::time::timeout(REQUEST_TIMEOUT, next.run(request)).await.unwrap_or_else(|_| busy())
}

pub async fn graphiql() -> Html<String> {
    Html(GraphiQLSource::build().endpoint("/graphql").subscription_endpoint("/graphql/ws").finish())
}

/// The access token from a `connection_init` payload: `{"token": "…"}` or `{"Authorization": "Bearer …"}`.
fn init_token(payload: &Value) -> Option<&str> {
    payload
        .get("token")
        .or_else(|| payload.get("Authorization"))
        .or_else(|| payload.get("authorization"))?
        .as_str()
        .map(|t| t.strip_prefix("Bearer ").unwrap_or(t).trim())
}

/// The close code sent to subscribers when the server stops: 1012 "service restart", so clients
/// reconnect (to another instance, or this one when it is back) and refetch.
pub const WS_CLOSE_SHUTDOWN: u16 = 1012;

/// The close code when the access token of `connection_init` expires: the client reconnects with
/// a fresh token (and refetches, as after any reconnect). The socket closes at the token's `exp`,
/// without the leeway HTTP requests get.
pub const WS_CLOSE_TOKEN_EXPIRED: u16 = 4401;
/// The close code when the socket's session ends (logout, refresh-token reuse, an ADMIN ending the
/// user's sessions, deactivation, a new password): the client must sign in again.
pub const WS_CLOSE_SESSION_ENDED: u16 = 4403;

/// Subscriptions (`graphql-transport-ws`). The token is checked at `connection_init`, the session
/// before every event, and the socket closes with [`WS_CLOSE_TOKEN_EXPIRED`] or
/// [`WS_CLOSE_SESSION_ENDED`] when either ends. When the server stops, the connection ends with
/// a Close frame ([`WS_CLOSE_SHUTDOWN`]) instead of a reset.
pub async fn graphql_ws(
    State(state): State<AppState>,
    protocol: GraphQLProtocol,
    upgrade: WebSocketUpgrade,
) -> Response {
    upgrade.protocols(ALL_WEBSOCKET_PROTOCOLS).on_upgrade(move |socket| async move {
        let schema = state.ws_schema.clone();
        // Held until the Close frame is out, so a stopping server waits for it.
        let open = state.stopping.subscribe();
        let mut stopping = state.stopping.subscribe();
        // Ends the client's message stream when the server stops, which ends `serve`.
        let stopped = async move {
            let _ = stopping.wait_for(|stopping| *stopping).await;
        };
        // Set by the subscriber's session watch; ends the client's message stream like `stopped`.
        let end = Arc::new(tokio::sync::watch::channel(None::<SocketEnd>).0);
        let mut ending = end.subscribe();
        let ended = async move {
            let _ = ending.wait_for(Option::is_some).await;
        };
        let closing = end.subscribe();
        let (mut sink, stream) = socket.split();
        let until = futures_util::future::select(Box::pin(stopped), Box::pin(ended));
        GraphQLWebSocket::new_with_pair(&mut sink, stream.take_until(until), schema, protocol)
            .on_connection_init(move |payload| async move {
                let token = init_token(&payload).ok_or(AppError::Unauthenticated)?;
                let now = state.clock.now();
                let Authenticated { viewer, subject, expires_at } = authenticate(&state, token, now).await?;
                let subscriber = Subscriber {
                    subject,
                    expires_at,
                    db: state.db.clone(),
                    access_log: state.access_log.clone(),
                    bus: state.events.bus().clone(),
                    clock: state.clock.clone(),
                    end,
                };
                tokio::spawn(subscriber.clone().watch_session());
                let mut data = async_graphql::Data::default();
                data.insert(subscriber);
                // Nested fields of pushed objects resolve with the scope at connection time;
                // whether an event is delivered at all is decided with a fresh scope.
                let request_id = format!("ws-{}", uuid::Uuid::now_v7());
                insert_request_state(&mut data, &state, Some(viewer), now, request_id, String::new());
                Ok(data)
            })
            .serve()
            .await;
        let frame = match *closing.borrow() {
            Some(SocketEnd::TokenExpired) => Some((WS_CLOSE_TOKEN_EXPIRED, "token expired")),
            Some(SocketEnd::SessionEnded) => Some((WS_CLOSE_SESSION_ENDED, "session ended")),
            None => open.borrow().then_some((WS_CLOSE_SHUTDOWN, "server restarting")),
        };
        if let Some((code, reason)) = frame {
            let _ = sink.send(Message::Close(Some(CloseFrame { code, reason: reason.into() }))).await;
        }
        let _ = sink.close().await;
    })
}

pub async fn healthz() -> &'static str {
    "ok"
}

/// Ready when the database answers.
pub async fn readyz(State(state): State<AppState>) -> Response {
    match state.db.ping().await {
        Ok(()) => (StatusCode::OK, "ready").into_response(),
        Err(_) => (StatusCode::SERVICE_UNAVAILABLE, "database unavailable").into_response(),
    }
}

pub async fn jwks(State(state): State<AppState>) -> Json<Value> {
    Json(state.keys.jwks())
}
