//! Plejelink: the GraphQL API for nursing homes with an attached doctor (plejehjemslæge).

pub mod audit;
pub mod auth;
pub mod backup;
pub mod clients;
pub mod clock;
pub mod configuration;
pub mod db;
pub mod demo;
pub mod domain;
pub mod error;
pub mod events;
pub mod graphql;
pub mod http;
pub mod ids;
pub mod services;
pub mod startup;
pub mod telemetry;
pub mod trusted_documents;

#[cfg(test)]
mod layers;
