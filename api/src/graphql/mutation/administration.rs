//! ADMIN: care centres, accounts, memberships, doctor attachments.

use crate::error::AppResult;
use crate::graphql::authed;
use crate::graphql::enums::Role;
use crate::graphql::types::{CareCentre, User};
use crate::ids::{self, Kind};
use crate::services::administration::{self, CentreInput, DoctorProfile, UserInput};
use async_graphql::{Context, ID, InputObject, Object};

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
    pub role: Role,
    /// At least 12 characters.
    pub password: String,
    /// da (default) or en.
    pub locale: Option<String>,
    /// Required for DOCTOR.
    pub doctor: Option<DoctorProfileInput>,
}

#[derive(Default)]
pub struct AdminMutations;

#[Object]
impl AdminMutations {
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

    async fn create_user(&self, ctx: &Context<'_>, input: CreateUserInput) -> AppResult<User> {
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
        Ok(User(administration::create_user(&state.db, viewer, input, state.now).await?))
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

    /// Every session of the account ends at once.
    async fn deactivate_user(&self, ctx: &Context<'_>, user_id: ID) -> AppResult<User> {
        let (state, viewer) = authed(ctx)?;
        let user = ids::decode(&user_id, Kind::User, "userId")?;
        Ok(User(administration::deactivate_user(&state.db, viewer, user).await?))
    }
}
