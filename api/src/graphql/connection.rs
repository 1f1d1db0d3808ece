//! Relay connections over offset pages: `first`/`after`, `edges`, `pageInfo`, `totalCount`.

use crate::error::{AppError, AppResult};
use crate::services::{Page, Paged};
use async_graphql::connection::{Connection, Edge};
use async_graphql::{OutputType, SimpleObject};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

#[derive(SimpleObject)]
pub struct Totals {
    /// Number of items in the whole list, not just this page.
    pub total_count: u64,
}

pub type Conn<T> = Connection<String, T, Totals>;

fn cursor(offset: u64) -> String {
    URL_SAFE_NO_PAD.encode(format!("offset:{offset}"))
}

/// The page size when `first` is missing, by node type: questions and meetings are read a screen
/// at a time. The node limit ([`crate::graphql::limits::MAX_NODES`]) counts the same figure.
pub fn default_first(node_type: &str) -> u64 {
    match node_type {
        "Question" | "Meeting" => 20,
        _ => 50,
    }
}

/// Turns `first`/`after` into a page of `T`s; `after` is a cursor from an earlier page of the same
/// list.
pub fn page<T: OutputType>(first: Option<i32>, after: Option<String>) -> AppResult<Page> {
    let offset = match after {
        None => 0,
        Some(after) => {
            let invalid = || AppError::validation("after", "Not a valid cursor");
            let text =
                URL_SAFE_NO_PAD.decode(after).ok().and_then(|b| String::from_utf8(b).ok()).ok_or_else(invalid)?;
            let n: u64 = text.strip_prefix("offset:").and_then(|n| n.parse().ok()).ok_or_else(invalid)?;
            n + 1
        }
    };
    Page::new(offset, first, default_first(&T::type_name()))
}

pub fn connection<M, T: OutputType>(paged: Paged<M>, wrap: impl Fn(M) -> T) -> Conn<T> {
    let has_next = paged.has_next();
    let offset = paged.page.offset;
    let mut conn = Connection::with_additional_fields(offset > 0, has_next, Totals { total_count: paged.total });
    conn.edges
        .extend(paged.rows.into_iter().enumerate().map(|(i, row)| Edge::new(cursor(offset + i as u64), wrap(row))));
    conn
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_continue_after_the_last_edge() {
        assert_eq!(page::<String>(Some(20), None).expect("page").offset, 0);
        assert_eq!(page::<String>(None, Some(cursor(19))).expect("page").offset, 20);
        assert!(page::<String>(None, Some("bogus".into())).is_err());
        assert!(page::<String>(Some(101), None).is_err());
        assert!(page::<String>(Some(-1), None).is_err());
    }
}
