//! Request-shape limits beyond async-graphql's depth and complexity: a cap on field aliases, which
//! otherwise let one request repeat an expensive field many times.

use async_graphql::extensions::{Extension, ExtensionContext, ExtensionFactory, NextParseQuery};
use async_graphql::parser::types::{ExecutableDocument, Selection, SelectionSet};
use async_graphql::{ServerError, ServerResult, Variables};
use std::sync::Arc;

/// Query depth: the deepest operation the tests use (doctorQueue → edges → node → resident →
/// latestObservation → news2 → total) is 7; headroom for the apps.
pub const MAX_DEPTH: usize = 12;
/// Query complexity, one per field (list fields are not multiplied: page sizes are capped at 100).
pub const MAX_COMPLEXITY: usize = 1_000;
/// Aliased fields per document.
pub const MAX_ALIASES: usize = 15;

fn count_aliases(set: &SelectionSet) -> usize {
    set.items
        .iter()
        .map(|item| match &item.node {
            Selection::Field(field) => {
                usize::from(field.node.alias.is_some()) + count_aliases(&field.node.selection_set.node)
            }
            Selection::InlineFragment(fragment) => count_aliases(&fragment.node.selection_set.node),
            Selection::FragmentSpread(_) => 0,
        })
        .sum()
}

/// Refuses a document with more than [`MAX_ALIASES`] aliases.
pub fn check_aliases(document: &ExecutableDocument) -> ServerResult<()> {
    if aliases(document) > MAX_ALIASES {
        return Err(ServerError::new(format!("The query uses more than {MAX_ALIASES} aliases"), None));
    }
    Ok(())
}

pub fn aliases(document: &ExecutableDocument) -> usize {
    let operations: usize = document.operations.iter().map(|(_, op)| count_aliases(&op.node.selection_set.node)).sum();
    let fragments: usize = document.fragments.values().map(|f| count_aliases(&f.node.selection_set.node)).sum();
    operations + fragments
}

pub struct AliasLimit;

impl ExtensionFactory for AliasLimit {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(AliasLimit)
    }
}

#[async_trait::async_trait]
impl Extension for AliasLimit {
    async fn parse_query(
        &self,
        ctx: &ExtensionContext<'_>,
        query: &str,
        variables: &Variables,
        next: NextParseQuery<'_>,
    ) -> ServerResult<ExecutableDocument> {
        let document = next.run(ctx, query, variables).await?;
        check_aliases(&document)?;
        Ok(document)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_aliases_in_operations_fragments_and_inline_fragments() {
        let document = async_graphql::parser::parse_query(
            "{ a: me { b: email } ...F node(id: \"x\") { ... on Resident { c: room } } } fragment F on Query { d: me { email } }",
        )
        .expect("parses");
        assert_eq!(aliases(&document), 4);
    }
}
