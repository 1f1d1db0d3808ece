//! GraphQL documents as a request's `query`: async-graphql's parser and our cost count
//! (`graphql::limits::costs`: nodes and aliases, fragments expanded at each use, which recurses
//! through selection sets) never panic or overflow the stack, and the document is bounded by the
//! 256 KiB body limit, as on the server.
#![no_main]

use libfuzzer_sys::fuzz_target;
use plejelink::graphql::limits::costs;

fuzz_target!(|text: &str| {
    if text.len() > 256 * 1024 {
        return;
    }
    if let Ok(document) = async_graphql::parser::parse_query(text) {
        let _ = costs(&document, &Default::default());
    }
});
