//! Login sessions.

use crate::error::AppResult;
use crate::graphql::types::AuthPayload;
use crate::graphql::{SignedIn, state};
use crate::services::sessions::{self, AuthSession, PasswordCheck};
use async_graphql::{Context, Object};

#[derive(Default)]
pub struct SessionMutations;

pub(super) fn payload(session: AuthSession) -> AuthPayload {
    AuthPayload {
        access_token: session.access_token,
        refresh_token: session.refresh_token,
        expires_at: session.expires_at,
        viewer: session.viewer,
    }
}

#[Object]
impl SessionMutations {
    /// Email and password to an access token (15 min) and a refresh token.
    async fn login(&self, ctx: &Context<'_>, email: String, password: String) -> AppResult<AuthPayload> {
        let state = state(ctx);
        let session =
            sessions::login(&state.db, &state.keys, &state.login_limits, &state.client, &email, &password, state.now)
                .await?;
        SignedIn::set(ctx, &session.viewer);
        Ok(payload(session))
    }

    /// A new token pair for a refresh token, which is used up.
    async fn refresh_session(&self, ctx: &Context<'_>, refresh_token: String) -> AppResult<AuthPayload> {
        let state = state(ctx);
        let session = sessions::refresh(&state.db, &state.events, &state.keys, &refresh_token, state.now).await?;
        SignedIn::set(ctx, &session.viewer);
        Ok(payload(session))
    }

    /// Changes the password: every session of the account ends, and a new one is returned. A wrong
    /// current password counts as a failed login (`RATE_LIMITED` with `retryAfter` past the limit).
    async fn change_password(
        &self,
        ctx: &Context<'_>,
        current_password: String,
        new_password: String,
    ) -> AppResult<AuthPayload> {
        let (state, viewer) = crate::graphql::authed(ctx)?;
        let check = PasswordCheck { password: &current_password, limits: &state.login_limits, client: &state.client };
        let session =
            sessions::change_password(&state.db, &state.events, &state.keys, check, viewer, &new_password, state.now)
                .await?;
        Ok(payload(session))
    }

    /// Ends the session of the refresh token: its access tokens and subscriptions end at once.
    async fn logout(&self, ctx: &Context<'_>, refresh_token: String) -> AppResult<bool> {
        let state = state(ctx);
        sessions::logout(&state.db, &state.events, &refresh_token).await?;
        Ok(true)
    }
}
