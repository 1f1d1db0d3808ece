//! Request-shape limits beyond async-graphql's depth and complexity: a cap on field aliases, which
//! otherwise let one request repeat an expensive field many times, and no NUL characters in text.

use crate::error::AppError;
use async_graphql::extensions::{Extension, ExtensionContext, ExtensionFactory, NextParseQuery};
use async_graphql::parser::types::{ExecutableDocument, Field, Selection, SelectionSet};
use async_graphql::{Pos, ServerError, ServerResult, Value, Variables};
use std::convert::Infallible;
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

/// The field (innermost object key, else `field`) of the first text in `value` holding a NUL.
fn nul_field(value: &Value, field: &str) -> Option<String> {
    match value {
        Value::String(text) if text.contains('\0') => Some(field.to_owned()),
        Value::List(items) => items.iter().find_map(|v| nul_field(v, field)),
        Value::Object(map) => map.iter().find_map(|(key, v)| nul_field(v, key.as_str())),
        _ => None,
    }
}

fn nul_in_arguments(field: &Field) -> Option<String> {
    field.arguments.iter().find_map(|(name, value)| {
        // Variables are checked on their own; here they stand in as null.
        let value = value.node.clone().into_const_with(|_| Ok::<_, Infallible>(Value::Null)).ok()?;
        nul_field(&value, name.node.as_str())
    })
}

fn nul_in_selection(set: &SelectionSet) -> Option<String> {
    set.items.iter().find_map(|item| match &item.node {
        Selection::Field(field) => {
            nul_in_arguments(&field.node).or_else(|| nul_in_selection(&field.node.selection_set.node))
        }
        Selection::InlineFragment(fragment) => nul_in_selection(&fragment.node.selection_set.node),
        Selection::FragmentSpread(_) => None,
    })
}

/// The field of the first text with a NUL in the document or the variables, if any.
pub fn nul_text(document: &ExecutableDocument, variables: &Variables) -> Option<String> {
    let in_variables = || variables.iter().find_map(|(name, value)| nul_field(value, name.as_str()));
    let in_operations = || {
        document.operations.iter().find_map(|(_, op)| {
            op.node
                .variable_definitions
                .iter()
                .find_map(|d| d.node.default_value.as_ref().and_then(|v| nul_field(&v.node, d.node.name.node.as_str())))
                .or_else(|| nul_in_selection(&op.node.selection_set.node))
        })
    };
    let in_fragments = || document.fragments.values().find_map(|f| nul_in_selection(&f.node.selection_set.node));
    in_variables().or_else(in_operations).or_else(in_fragments)
}

/// Refuses text with a NUL character anywhere in the arguments, variables or variable defaults,
/// as `VALIDATION` on the innermost field or argument that holds it. PostgreSQL `text` cannot store
/// NUL (the statement failed as `INTERNAL`, found by the GraphQL fuzzer), and no field has a use for
/// it, so both backends refuse it the same way before any resolver runs.
pub fn check_nul_text(document: &ExecutableDocument, variables: &Variables) -> ServerResult<()> {
    match nul_text(document, variables) {
        Some(field) => {
            let error = AppError::validation(field, "Text must not contain NUL characters");
            Err(async_graphql::Error::from(error).into_server_error(Pos::default()))
        }
        None => Ok(()),
    }
}

/// The checks of a parsed document ([`check_aliases`], [`check_nul_text`]) as an extension, for
/// requests that do not pass through the HTTP handler (subscriptions over WebSocket).
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
        check_aliases(&document)?;
        check_nul_text(&document, variables)?;
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

    #[test]
    fn finds_nul_in_literals_variables_and_defaults() {
        let parse = |q: &str| async_graphql::parser::parse_query(q).expect("valid document");
        let none = Variables::default();
        let literal = parse(r#"{ residents(careCentreId: "x", search: "a\u0000b") { totalCount } }"#);
        assert_eq!(nul_text(&literal, &none).as_deref(), Some("search"));
        let nested = parse(r#"mutation { recordObservation(input: { note: "\u0000" }) { observation { id } } }"#);
        assert_eq!(nul_text(&nested, &none).as_deref(), Some("note"));
        let default = parse(r#"query($s: String = "\u0000") { me { email } }"#);
        assert_eq!(nul_text(&default, &none).as_deref(), Some("s"));
        let plain = parse(r#"query($v: String) { residents(careCentreId: "x", search: $v) { totalCount } }"#);
        assert_eq!(nul_text(&plain, &none), None);
        let variables = Variables::from_json(serde_json::json!({ "v": { "input": ["ok", "bad\u{0}"] } }));
        assert_eq!(nul_text(&plain, &variables).as_deref(), Some("input"));
    }
}
