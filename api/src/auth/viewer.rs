//! The viewer: who is asking and what they may reach, read from the database on every request
//! (the token only says who they are), so a deactivation or an ended membership counts at once.

use crate::audit::{Action, AuditTrail, Outcome};
use crate::error::{AppError, AppResult};
use chrono::{DateTime, Utc};
use entities::enums::Role;
use entities::{doctor, doctor_attachment, refresh_token, relative_link, resident, staff_membership, user};
use sea_orm::sea_query::{Expr, Query};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect};
use std::sync::Arc;
use uuid::Uuid;

#[derive(Debug, Clone)]
pub struct Viewer {
    pub user_id: Uuid,
    pub role: Role,
    pub display_name: String,
    pub email: String,
    pub locale: String,
    /// NURSE and COORDINATOR: centres of their active memberships; DOCTOR: attached centres;
    /// RELATIVE: centres of their residents; ADMIN: empty (ADMIN reaches all centres).
    pub care_centre_ids: Vec<Uuid>,
    /// DOCTOR only.
    pub doctor_id: Option<Uuid>,
    /// RELATIVE only: residents with a link that is neither revoked nor past its consent.
    pub resident_ids: Vec<Uuid>,
    /// The residents this request touched, for the access log.
    pub audit: Arc<AuditTrail>,
}

/// What a verified access token says: who, in which session (refresh-token family), since when.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TokenSubject {
    pub user_id: Uuid,
    pub session_id: Uuid,
    pub issued_at: DateTime<Utc>,
}

impl TokenSubject {
    pub fn of(claims: &crate::auth::jwt::AccessClaims) -> AppResult<Self> {
        let issued_at = DateTime::from_timestamp(claims.iat, 0).ok_or(AppError::Unauthenticated)?;
        Ok(TokenSubject { user_id: claims.sub, session_id: claims.sid, issued_at })
    }
}

impl Viewer {
    /// Resolves the viewer of an access token. An inactive account, a token issued before the
    /// account's `tokens_valid_after`, or a token whose session has ended (logout, refresh-token
    /// reuse, an ADMIN ending the user's sessions: its family has no unrevoked refresh token) is
    /// `UNAUTHENTICATED`. The session is checked in the statement that loads the user, so ending a
    /// session ends its access tokens on their next request at no extra round trip.
    pub async fn load(db: &impl ConnectionTrait, subject: TokenSubject, now: DateTime<Utc>) -> AppResult<Viewer> {
        let live_session = Query::select()
            .expr(Expr::val(1))
            .from(refresh_token::Entity)
            .and_where(refresh_token::Column::FamilyId.eq(subject.session_id))
            .and_where(refresh_token::Column::UserId.eq(subject.user_id))
            .and_where(refresh_token::Column::RevokedAt.is_null())
            .to_owned();
        let user = user::Entity::find_by_id(subject.user_id)
            .filter(Expr::exists(live_session))
            .one(db)
            .await?
            .filter(|u| u.active && subject.issued_at.timestamp() >= u.tokens_valid_after.timestamp())
            .ok_or(AppError::Unauthenticated)?;
        Self::for_user(db, user, now).await
    }

    /// The scope of an already authenticated user.
    pub async fn for_user(db: &impl ConnectionTrait, user: user::Model, now: DateTime<Utc>) -> AppResult<Viewer> {
        let mut viewer = Viewer {
            user_id: user.id,
            role: user.role,
            display_name: user.display_name,
            email: user.email,
            locale: user.locale,
            care_centre_ids: Vec::new(),
            doctor_id: None,
            resident_ids: Vec::new(),
            audit: Arc::default(),
        };
        match viewer.role {
            Role::Nurse | Role::Coordinator => {
                viewer.care_centre_ids = staff_membership::Entity::find()
                    .select_only()
                    .column(staff_membership::Column::CareCentreId)
                    .filter(staff_membership::Column::UserId.eq(user.id))
                    .filter(staff_membership::Column::EndedAt.is_null())
                    .into_tuple()
                    .all(db)
                    .await?;
            }
            Role::Doctor => {
                let Some(doctor) = doctor::Entity::find().filter(doctor::Column::UserId.eq(user.id)).one(db).await?
                else {
                    return Ok(viewer);
                };
                viewer.doctor_id = Some(doctor.id);
                viewer.care_centre_ids = doctor_attachment::Entity::find()
                    .select_only()
                    .column(doctor_attachment::Column::CareCentreId)
                    .filter(doctor_attachment::Column::DoctorId.eq(doctor.id))
                    .filter(doctor_attachment::Column::EndedAt.is_null())
                    .into_tuple()
                    .all(db)
                    .await?;
            }
            Role::Relative => {
                let rows: Vec<(Uuid, Uuid)> = relative_link::Entity::find()
                    .select_only()
                    .column(relative_link::Column::ResidentId)
                    .column_as(resident::Column::CareCentreId, "care_centre_id")
                    .inner_join(resident::Entity)
                    .filter(relative_link::Column::RelativeUserId.eq(user.id))
                    .filter(relative_link::Column::RevokedAt.is_null())
                    .filter(relative_link::Column::ConsentExpiresAt.gt(now))
                    .into_tuple()
                    .all(db)
                    .await?;
                for (resident_id, centre_id) in rows {
                    viewer.resident_ids.push(resident_id);
                    if !viewer.care_centre_ids.contains(&centre_id) {
                        viewer.care_centre_ids.push(centre_id);
                    }
                }
            }
            Role::Admin => {}
        }
        Ok(viewer)
    }

    /// Notes a read of the resident's data for the access log.
    pub fn read(&self, resident: Uuid) {
        self.audit.touch(resident, Action::Read, Outcome::Allowed);
    }

    /// Notes a refused attempt to reach the resident's data for the access log.
    pub fn denied(&self, resident: Uuid, action: Action) {
        self.audit.touch(resident, action, Outcome::Denied);
    }

    pub fn is_staff(&self) -> bool {
        matches!(self.role, Role::Nurse | Role::Coordinator)
    }

    /// Whether the viewer works in (staff) or is attached to (doctor) the centre; ADMIN counts too.
    pub fn serves_centre(&self, centre: Uuid) -> bool {
        match self.role {
            Role::Admin => true,
            Role::Nurse | Role::Coordinator | Role::Doctor => self.care_centre_ids.contains(&centre),
            Role::Relative => false,
        }
    }
}
