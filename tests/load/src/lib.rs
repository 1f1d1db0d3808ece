//! Load harness for Plejelink: fixed-rate (open) and saturation (closed) load over real HTTP
//! with many demo users, each request with its own user's token and every answer checked;
//! the same operations against PostGraphile on the same PostgreSQL database, and the SQL
//! Plejelink issues run directly over a pool (the floor). See docs/performance.md.

pub mod cpu;
pub mod engine;
pub mod floor;
pub mod ops;
pub mod peer;
pub mod suite;
pub mod world;
