//! Migrations of Plejelink. They run at start-up (behind an advisory lock on PostgreSQL) and as
//! `plejelink migrate`.

pub use sea_orm_migration::prelude::*;

mod m20261122_000001_initial;
mod m20261122_000002_audit_append_only;

pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![Box::new(m20261122_000001_initial::Migration), Box::new(m20261122_000002_audit_append_only::Migration)]
    }
}
