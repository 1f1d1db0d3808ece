//! Black-box tests: a real server per test over a real database, on SQLite and PostgreSQL.

mod admin;
mod api_answers;
mod audit;
mod auth;
mod care;
mod clinical_writes;
mod errors;
mod foundation;
mod fuzz;
mod invites;
mod meetings;
mod node_limit;
mod observations;
mod plans;
mod questions;
mod reliability;
mod residents;
mod roster_writes;
mod scoping;
mod security;
mod sessions;
mod statements;
mod terms;
