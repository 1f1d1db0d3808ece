//! Pure clinical and workflow rules, free of storage and GraphQL.

pub mod deadlines;
pub mod news2;
pub mod terms;
