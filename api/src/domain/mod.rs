//! Pure clinical and workflow rules, free of storage and GraphQL.

pub mod deadlines;
pub mod escalation;
pub mod news2;
pub mod terms;
pub mod vitals;
