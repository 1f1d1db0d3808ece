//! Black-box tests: a real server per test over a real database, on SQLite and PostgreSQL.

mod administration;
mod audit;
mod auth;
mod clinical_writes;
mod errors;
mod foundation;
mod meetings;
mod observations;
mod plans;
mod questions;
mod relatives;
mod reliability;
mod roster_writes;
mod scoping;
mod security;
mod statements;
mod terms;
