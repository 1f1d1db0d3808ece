//! ADMIN: care centres, accounts, memberships, doctor attachments.

use crate::error::AppResult;
use crate::graphql::authed;
use crate::graphql::enums::Role;
use crate::graphql::loaders::DoctorRow;
use crate::graphql::types::{CareCentre, Doctor, User};
use crate::ids::{self, Kind};
use crate::services::administration::{self, CentreInput, DoctorProfile, UserInput};
use async_graphql::{Context, ID, InputObject, Object, SimpleObject};

#[derive(InputObject)]
pub struct CreateCareCentreInput {
    pub name: String,
    pub municipality: String,
    pub address: String,
    pub phone: String,
    pub hotline_phone: String,
    pub weekly_advisory_minutes: i32,
}

#[derive(InputObject)]
pub struct DoctorProfileInput {
    pub authorisation_id: String,
    pub practice_name: String,
    pub phone: String,
}

#[derive(InputObject)]
pub struct CreateUserInput {
    pub email: String,
    pub display_name: String,
    /// NURSE, COORDINATOR, DOCTOR or ADMIN; relatives join by invitation.
    pub role: Role,
    /// At least 12 characters.
    pub password: String,
    /// da (default) or en.
    pub locale: Option<String>,
    /// Required for DOCTOR.
    pub doctor: Option<DoctorProfileInput>,
}

/// The new account, and for a DOCTOR the doctor profile (its id is what `attachDoctor` takes).
#[derive(SimpleObject)]
pub struct CreateUserPayload {
    pub user: User,
    pub doctor: Option<Doctor>,
}

#[derive(Default)]
pub struct AdminMutations;

#[Object]
impl AdminMutations {
    /// A new care centre; attach its doctor and add its staff next.
    async fn create_care_centre(&self, ctx: &Context<'_>, input: CreateCareCentreInput) -> AppResult<CareCentre> {
        let (state, viewer) = authed(ctx)?;
        let input = CentreInput {
            name: input.name,
            municipality: input.municipality,
            address: input.address,
            phone: input.phone,
            hotline_phone: input.hotline_phone,
            weekly_advisory_minutes: input.weekly_advisory_minutes,
        };
        Ok(CareCentre(administration::create_care_centre(&state.db, viewer, input, state.now).await?))
    }

    /// A new account; the email is unique regardless of case (`CONFLICT`) and stored lower-case.
    async fn create_user(&self, ctx: &Context<'_>, input: CreateUserInput) -> AppResult<CreateUserPayload> {
        let (state, viewer) = authed(ctx)?;
        let input = UserInput {
            email: input.email,
            display_name: input.display_name,
            role: input.role.into(),
            password: input.password,
            locale: input.locale,
            doctor: input.doctor.map(|d| DoctorProfile {
                authorisation_id: d.authorisation_id,
                practice_name: d.practice_name,
                phone: d.phone,
            }),
        };
        let (user, doctor) = administration::create_user(&state.db, viewer, input, state.now).await?;
        let doctor = doctor.map(|doctor| Doctor(DoctorRow { doctor, name: user.display_name.clone() }));
        Ok(CreateUserPayload { user: User(user), doctor })
    }

    /// A NURSE or COORDINATOR starts working at a centre.
    async fn add_staff_membership(&self, ctx: &Context<'_>, user_id: ID, care_centre_id: ID) -> AppResult<bool> {
        let (state, viewer) = authed(ctx)?;
        let user = ids::decode(&user_id, Kind::User, "userId")?;
        let centre = ids::decode(&care_centre_id, Kind::CareCentre, "careCentreId")?;
        administration::add_staff_membership(&state.db, viewer, user, centre, state.now).await?;
        Ok(true)
    }

    /// Access to the centre ends at once.
    async fn end_staff_membership(&self, ctx: &Context<'_>, user_id: ID, care_centre_id: ID) -> AppResult<bool> {
        let (state, viewer) = authed(ctx)?;
        let user = ids::decode(&user_id, Kind::User, "userId")?;
        let centre = ids::decode(&care_centre_id, Kind::CareCentre, "careCentreId")?;
        administration::end_staff_membership(&state.db, viewer, user, centre, state.now).await?;
        Ok(true)
    }

    /// The doctor serves the centre from their next request on.
    async fn attach_doctor(&self, ctx: &Context<'_>, doctor_id: ID, care_centre_id: ID) -> AppResult<bool> {
        let (state, viewer) = authed(ctx)?;
        let doctor = ids::decode(&doctor_id, Kind::Doctor, "doctorId")?;
        let centre = ids::decode(&care_centre_id, Kind::CareCentre, "careCentreId")?;
        administration::attach_doctor(&state.db, viewer, doctor, centre, state.now).await?;
        Ok(true)
    }

    /// The doctor's access to the centre ends at once.
    async fn detach_doctor(&self, ctx: &Context<'_>, doctor_id: ID, care_centre_id: ID) -> AppResult<bool> {
        let (state, viewer) = authed(ctx)?;
        let doctor = ids::decode(&doctor_id, Kind::Doctor, "doctorId")?;
        let centre = ids::decode(&care_centre_id, Kind::CareCentre, "careCentreId")?;
        administration::detach_doctor(&state.db, viewer, doctor, centre, state.now).await?;
        Ok(true)
    }

    /// Every session of the account ends at once (access and refresh tokens); not one's own.
    async fn deactivate_user(&self, ctx: &Context<'_>, user_id: ID) -> AppResult<User> {
        let (state, viewer) = authed(ctx)?;
        let user = ids::decode(&user_id, Kind::User, "userId")?;
        Ok(User(administration::deactivate_user(&state.db, &state.events, viewer, user).await?))
    }

    /// Every session of the account ends at once (access tokens, refresh tokens, subscriptions);
    /// the account stays active and its user signs in again (a lost or shared phone).
    async fn end_sessions(&self, ctx: &Context<'_>, user_id: ID) -> AppResult<bool> {
        let (state, viewer) = authed(ctx)?;
        let user = ids::decode(&user_id, Kind::User, "userId")?;
        administration::end_sessions(&state.db, &state.events, viewer, user).await?;
        Ok(true)
    }
}
