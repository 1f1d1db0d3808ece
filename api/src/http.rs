//! HTTP: `POST /graphql` (JSON only, one operation per request), GraphiQL in development,
//! health and readiness, and the public signing keys.

use crate::auth::Viewer;
use crate::error::AppError;
use crate::graphql::subscription::Subscriber;
use crate::graphql::{RequestState, loaders};
use crate::startup::AppState;
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
use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use std::net::SocketAddr;

fn error_body(code: &str, message: &str) -> Value {
    json!({ "errors": [{ "message": message, "extensions": { "code": code } }] })
}

/// A whole-request error in the GraphQL response shape.
fn error_json(err: AppError) -> Value {
    let error = async_graphql::Error::from(err).into_server_error(Default::default());
    json!({ "errors": [error] })
}

/// A whole-request failure of the server's own (not the client's): 503 when retrying soon may
/// help (database unreachable, or busy: with `Retry-After`), else 500.
fn failure(err: AppError) -> Response {
    match err {
        AppError::Busy(_) => {
            let retry_after = crate::error::BUSY_RETRY_AFTER_SECONDS.to_string();
            (StatusCode::SERVICE_UNAVAILABLE, [(header::RETRY_AFTER, retry_after)], Json(error_json(err)))
                .into_response()
        }
        AppError::Unavailable(_) => (StatusCode::SERVICE_UNAVAILABLE, Json(error_json(err))).into_response(),
        _ => (StatusCode::INTERNAL_SERVER_ERROR, Json(error_json(err))).into_response(),
    }
}

fn reject(status: StatusCode, code: &str, message: &str) -> Response {
    (status, Json(error_body(code, message))).into_response()
}

fn bearer(headers: &HeaderMap) -> Option<&str> {
    headers.get(header::AUTHORIZATION)?.to_str().ok()?.strip_prefix("Bearer ").map(str::trim)
}

/// Resolves the viewer of the request's bearer token; no token is an anonymous request
/// (which may only log in), a bad token is `UNAUTHENTICATED`.
async fn viewer(
    state: &AppState,
    headers: &HeaderMap,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<Option<Viewer>, AppError> {
    let Some(token) = bearer(headers) else {
        return Ok(None);
    };
    let claims = state.keys.verify_access(token)?;
    let issued_at = chrono::DateTime::from_timestamp(claims.iat, 0).ok_or(AppError::Unauthenticated)?;
    Viewer::load(&state.db, claims.sub, issued_at, now).await.map(Some)
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
            return (StatusCode::UNAUTHORIZED, Json(error_json(AppError::Unauthenticated))).into_response();
        }
        Err(err) => return failure(err),
    };
    // A trusted document replaces the query text (and in production, text is for ADMIN only).
    if let Some(object) = value.as_object_mut() {
        let document = object.remove("documentId");
        let text = object.get("query").and_then(Value::as_str).unwrap_or_default();
        let role = viewer.as_ref().map(|v| v.role);
        match state.trusted_documents.admit(role, document.as_ref().and_then(Value::as_str), text) {
            Ok(query) => {
                object.insert("query".into(), Value::String(query));
            }
            Err(err) => return (StatusCode::BAD_REQUEST, Json(error_json(err))).into_response(),
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
    let today = now.with_timezone(&chrono_tz::Europe::Copenhagen).date_naive();
    let mut request = request.data(loaders::loaders(state.db.clone(), today)).data(RequestState {
        db: state.db.clone(),
        keys: state.keys.clone(),
        events: state.events.clone(),
        viewer,
        now,
        request_id,
        client: client_address(&state, &headers, peer),
        login_limits: state.login_limits.clone(),
    });
    let mut response = match crate::graphql::check_document(&mut request, audited.as_ref()) {
        Ok(()) => state.schema.execute(request).await,
        Err(error) => async_graphql::Response::from_errors(vec![error]),
    };
    // The access log is written before the answer leaves; no log, no answer.
    if let Some(viewer) = &audited
        && let Err(err) = state.access_log.flush(viewer, now).await
    {
        return failure(err);
    }
    // Errors raised by async-graphql itself (parse, validation, limits) carry no code: they are
    // all about the request the client sent.
    for error in &mut response.errors {
        let extensions = error.extensions.get_or_insert_with(Default::default);
        if extensions.get("code").is_none() {
            extensions.set("code", "VALIDATION");
        }
    }
    Json(response).into_response()
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

/// Subscriptions (`graphql-transport-ws`). The token is checked at `connection_init`. When the
/// server stops, the connection ends with a Close frame ([`WS_CLOSE_SHUTDOWN`]) instead of a reset.
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
        let (mut sink, stream) = socket.split();
        GraphQLWebSocket::new_with_pair(&mut sink, stream.take_until(stopped), schema, protocol)
            .on_connection_init(move |payload| async move {
                let unauthenticated = || async_graphql::Error::from(AppError::Unauthenticated);
                let token = init_token(&payload).ok_or_else(unauthenticated)?;
                let claims = state.keys.verify_access(token)?;
                let issued_at = chrono::DateTime::from_timestamp(claims.iat, 0).ok_or_else(unauthenticated)?;
                let now = state.clock.now();
                let viewer = Viewer::load(&state.db, claims.sub, issued_at, now).await?;
                let today = now.with_timezone(&chrono_tz::Europe::Copenhagen).date_naive();
                let mut data = async_graphql::Data::default();
                data.insert(Subscriber {
                    user_id: claims.sub,
                    issued_at,
                    db: state.db.clone(),
                    access_log: state.access_log.clone(),
                    bus: state.events.bus().clone(),
                    clock: state.clock.clone(),
                });
                // Nested fields of pushed objects resolve with the scope at connection time;
                // whether an event is delivered at all is decided with a fresh scope.
                data.insert(loaders::loaders(state.db.clone(), today));
                data.insert(RequestState {
                    db: state.db.clone(),
                    keys: state.keys.clone(),
                    events: state.events.clone(),
                    viewer: Some(viewer),
                    now,
                    request_id: format!("ws-{}", uuid::Uuid::now_v7()),
                    client: String::new(),
                    login_limits: state.login_limits.clone(),
                });
                Ok(data)
            })
            .serve()
            .await;
        if *open.borrow() {
            let frame = CloseFrame { code: WS_CLOSE_SHUTDOWN, reason: "server restarting".into() };
            let _ = sink.send(Message::Close(Some(frame))).await;
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
