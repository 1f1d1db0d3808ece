//! The GraphQL API: thin resolvers over `services`. The schema is exported to `api/schema.graphql`.

pub mod connection;
pub mod enums;
pub mod extensions;
pub mod limits;
pub mod loaders;
pub mod mutation;
pub mod query;
pub mod scalars;
pub mod subscription;
pub mod types;

use crate::auth::Viewer;
use crate::auth::jwt::JwtKeys;
use crate::auth::rate_limit::LoginLimits;
use crate::error::{AppError, AppResult};
use crate::events::Events;
use crate::trusted_documents::TrustedDocuments;
use async_graphql::{Context, Schema, SchemaBuilder};
use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::DatabaseConnection;
use std::sync::{Arc, OnceLock};

pub type PlejelinkSchema = Schema<query::QueryRoot, mutation::MutationRoot, subscription::SubscriptionRoot>;

/// What every resolver may need, put into each request by the HTTP handler.
pub struct RequestState {
    pub db: DatabaseConnection,
    pub keys: Arc<JwtKeys>,
    pub events: Events,
    pub viewer: Option<Viewer>,
    /// "Now" of this request, from the injectable clock, so one request sees one instant.
    pub now: DateTime<Utc>,
    pub request_id: String,
    /// The client's address (for login limits).
    pub client: String,
    pub login_limits: Arc<LoginLimits>,
}

impl RequestState {
    pub fn viewer(&self) -> AppResult<&Viewer> {
        self.viewer.as_ref().ok_or(AppError::Unauthenticated)
    }

    /// Today's date in Denmark.
    pub fn today(&self) -> NaiveDate {
        crate::clock::copenhagen_date(self.now)
    }
}

/// The user a `login`, `refreshSession` or `acceptInvite` of this request signed in. The request
/// had no viewer, but its answer may carry residents (a relative's `viewer.residents`): those reads
/// are logged as this user, and the HTTP handler flushes them before the answer leaves.
#[derive(Clone, Default)]
pub struct SignedIn {
    request: Arc<(String, Option<String>)>,
    viewer: Arc<OnceLock<Viewer>>,
}

impl SignedIn {
    pub fn new(request_id: &str, operation: Option<&str>) -> Self {
        SignedIn { request: Arc::new((request_id.to_owned(), operation.map(str::to_owned))), viewer: Arc::default() }
    }

    /// The user signed in, whose trail holds the answer's reads.
    pub fn get(&self) -> Option<&Viewer> {
        self.viewer.get()
    }

    /// Notes who signed in (the first, if one request signs in twice).
    pub fn set(ctx: &Context<'_>, viewer: &Viewer) {
        if let Some(signed_in) = ctx.data_opt::<SignedIn>() {
            let (request_id, operation) = &*signed_in.request;
            viewer.audit.set_request(request_id, operation.as_deref());
            let _ = signed_in.viewer.set(viewer.clone());
        }
    }
}

/// Whose access-log trail a read of this request goes on: the viewer, else the user it signed in.
pub fn reader<'a>(ctx: &Context<'a>) -> Option<&'a Viewer> {
    state(ctx).viewer.as_ref().or_else(|| ctx.data_opt::<SignedIn>().and_then(SignedIn::get))
}

pub fn state<'a>(ctx: &Context<'a>) -> &'a RequestState {
    ctx.data_unchecked::<RequestState>()
}

/// The state and the authenticated viewer; `UNAUTHENTICATED` without a valid token.
pub fn authed<'a>(ctx: &Context<'a>) -> AppResult<(&'a RequestState, &'a Viewer)> {
    let state = state(ctx);
    Ok((state, state.viewer()?))
}

type Builder = SchemaBuilder<query::QueryRoot, mutation::MutationRoot, subscription::SubscriptionRoot>;

/// Depth and complexity limits, and in production no introspection or suggestions.
fn limited_builder(production: bool) -> Builder {
    let builder = Schema::build(query::QueryRoot, mutation::MutationRoot::default(), subscription::SubscriptionRoot)
        .limit_depth(limits::MAX_DEPTH)
        .limit_complexity(limits::MAX_COMPLEXITY)
        .limit_recursive_depth(32);
    if production { builder.disable_introspection().disable_suggestions() } else { builder }
}

/// Schema limits: no batching is enforced in HTTP; depth/complexity here, nodes/aliases/NUL text in
/// [`extensions::DocumentChecks`].
pub fn schema_builder(production: bool) -> Builder {
    limited_builder(production).extension(extensions::DocumentChecks)
}

/// The schema `POST /graphql` executes on: the same limits, but no extensions, because the
/// handler does their work once per request ([`check_document`]). With any extension at all,
/// async-graphql runs every field and list item of the answer through the extension chain.
pub fn build_http_schema(production: bool) -> PlejelinkSchema {
    limited_builder(production).finish()
}

/// The extensions' work for an HTTP request: parses the document (async-graphql keeps it and does
/// not parse again), refuses too many nodes or aliases and text with NUL, and names the operation for the
/// access log.
pub fn check_document(
    request: &mut async_graphql::Request,
    viewer: Option<&Viewer>,
) -> async_graphql::ServerResult<()> {
    let variables = request.variables.clone();
    check_parsed(request.parsed_query()?, &variables, viewer)
}

/// The checks of a parsed document, for HTTP requests and socket subscriptions alike.
fn check_parsed(
    document: &async_graphql::parser::types::ExecutableDocument,
    variables: &async_graphql::Variables,
    viewer: Option<&Viewer>,
) -> async_graphql::ServerResult<()> {
    limits::check_cost(document, variables)?;
    limits::check_nul_text(document, variables)?;
    if let Some(viewer) = viewer {
        crate::audit::name_operation(viewer, document);
    }
    Ok(())
}

pub fn build_schema(production: bool) -> PlejelinkSchema {
    schema_builder(production).finish()
}

/// The served schema: also admits only trusted documents on WebSocket subscriptions.
pub fn build_served_schema(production: bool, trusted: Arc<TrustedDocuments>) -> PlejelinkSchema {
    schema_builder(production).extension(extensions::TrustedDocumentsExtension(trusted)).finish()
}

/// The SDL that `plejelink export-schema` prints and `api/schema.graphql` holds.
pub fn sdl() -> String {
    build_schema(false).sdl()
}
