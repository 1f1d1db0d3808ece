//! Who is asking: passwords, access tokens and the viewer resolved from the database per request.

pub mod jwt;
pub mod password;
pub mod rate_limit;
pub mod viewer;

pub use viewer::{TokenSubject, Viewer};
