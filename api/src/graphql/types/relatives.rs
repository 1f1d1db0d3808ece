//! A relative's link to a resident.

use super::User;
use crate::ids::{Kind, encode};
use async_graphql::{ID, Object};
use chrono::{DateTime, Utc};
use entities::{relative_link, user};

/// Fields `pub(super)`: `Resident.relatives` builds it.
pub struct RelativeLink {
    pub(super) link: relative_link::Model,
    pub(super) user: Option<user::Model>,
    pub(super) now: DateTime<Utc>,
}

#[Object]
impl RelativeLink {
    async fn id(&self) -> ID {
        encode(Kind::RelativeLink, self.link.id)
    }
    async fn relative(&self) -> Option<User> {
        self.user.clone().map(User)
    }
    async fn relation(&self) -> &str {
        &self.link.relation
    }
    async fn consent_recorded_at(&self) -> DateTime<Utc> {
        self.link.consent_recorded_at
    }
    async fn consent_expires_at(&self) -> DateTime<Utc> {
        self.link.consent_expires_at
    }
    async fn revoked_at(&self) -> Option<DateTime<Utc>> {
        self.link.revoked_at
    }
    /// Neither revoked nor past its consent.
    async fn active(&self) -> bool {
        self.link.revoked_at.is_none() && self.link.consent_expires_at > self.now
    }
}
