//! The schema extensions of WebSocket subscriptions, whose requests do not pass through the HTTP
//! handler: they do its per-request work (admitting trusted documents, naming the operation for
//! the access log) with the viewer from the connection's [`RequestState`].

use super::RequestState;
use crate::trusted_documents::TrustedDocuments;
use async_graphql::extensions::{Extension, ExtensionContext, ExtensionFactory, NextParseQuery, NextPrepareRequest};
use async_graphql::parser::types::ExecutableDocument;
use async_graphql::{Request, ServerResult, Variables};
use std::sync::Arc;

/// The HTTP handler's [`super::check_document`] as an extension: limits, NUL text, and the
/// operation's name for the access log.
pub struct DocumentChecks;

impl ExtensionFactory for DocumentChecks {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(DocumentChecks)
    }
}

#[async_trait::async_trait]
impl Extension for DocumentChecks {
    async fn parse_query(
        &self,
        ctx: &ExtensionContext<'_>,
        query: &str,
        variables: &Variables,
        next: NextParseQuery<'_>,
    ) -> ServerResult<ExecutableDocument> {
        let document = next.run(ctx, query, variables).await?;
        let viewer = ctx.data_opt::<RequestState>().and_then(|state| state.viewer.as_ref());
        super::check_parsed(&document, variables, viewer)?;
        Ok(document)
    }
}

/// Applies [`TrustedDocuments::admit`] to WebSocket subscriptions (HTTP requests are admitted in
/// the handler).
pub struct TrustedDocumentsExtension(pub Arc<TrustedDocuments>);

impl ExtensionFactory for TrustedDocumentsExtension {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(Admit(self.0.clone()))
    }
}

struct Admit(Arc<TrustedDocuments>);

#[async_trait::async_trait]
impl Extension for Admit {
    async fn prepare_request(
        &self,
        ctx: &ExtensionContext<'_>,
        mut request: Request,
        next: NextPrepareRequest<'_>,
    ) -> ServerResult<Request> {
        if let Some(state) = ctx.data_opt::<RequestState>() {
            let document = request.extensions.get("documentId").and_then(|v| match v {
                async_graphql::Value::String(s) => Some(s.clone()),
                _ => None,
            });
            let role = state.viewer.as_ref().map(|v| v.role);
            request.query = self
                .0
                .admit(role, document.as_deref(), &request.query)
                .map_err(|e| async_graphql::Error::from(e).into_server_error(Default::default()))?;
        }
        next.run(ctx, request).await
    }
}
