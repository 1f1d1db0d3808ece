//! Inviting relatives with a one-time code, and accepting the invitation.

use super::sessions::payload;
use crate::error::AppResult;
use crate::graphql::types::AuthPayload;
use crate::graphql::{SignedIn, authed, state};
use crate::ids::{self, Kind};
use crate::services::relatives;
use crate::services::residents::{Target, refused_write};
use crate::services::sessions::PasswordCheck;
use async_graphql::{Context, ID, InputObject, Object, SimpleObject};
use chrono::{DateTime, Utc};

#[derive(InputObject)]
pub struct InviteRelativeInput {
    pub resident_id: ID,
    pub email: String,
    /// E.g. "Datter".
    pub relation: String,
}

/// An invitation; `code` is shown only here, once: give it to the relative.
#[derive(SimpleObject)]
pub struct Invite {
    pub id: ID,
    pub email: String,
    pub relation: String,
    pub expires_at: DateTime<Utc>,
    pub code: String,
}

#[derive(Default)]
pub struct RelativeMutations;

#[Object]
impl RelativeMutations {
    /// COORDINATOR of the resident's centre: a one-time code, valid 7 days, returned only here.
    async fn invite_relative(&self, ctx: &Context<'_>, input: InviteRelativeInput) -> AppResult<Invite> {
        let (state, viewer) = authed(ctx)?;
        let resident = ids::decode(&input.resident_id, Kind::Resident, "residentId")?;
        let invited = relatives::invite(&state.db, viewer, resident, &input.email, &input.relation, state.now).await;
        let (invite, code) = refused_write(&state.db, viewer, Some(Target::Resident(resident)), invited).await?;
        Ok(Invite {
            id: ids::encode(Kind::Invite, invite.id),
            email: invite.email,
            relation: invite.relation,
            expires_at: invite.expires_at,
            code,
        })
    }

    /// No token needed. The relative sets a password (at least 12 characters) and is logged in.
    /// An unknown, used or expired code is `VALIDATION` on `code`. If a relative's account with the
    /// invited email exists, it is reused and `password` must be its password.
    async fn accept_invite(
        &self,
        ctx: &Context<'_>,
        code: String,
        password: String,
        display_name: String,
    ) -> AppResult<AuthPayload> {
        let state = state(ctx);
        let check = PasswordCheck { password: &password, limits: &state.login_limits, client: &state.client };
        let session = relatives::accept(&state.db, &state.keys, check, &code, &display_name, state.now).await?;
        SignedIn::set(ctx, &session.viewer);
        Ok(payload(session))
    }
}
