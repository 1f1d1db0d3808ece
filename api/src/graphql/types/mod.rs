//! GraphQL object types. Each wraps a stored row; nested fields go through the DataLoader and
//! apply the viewer's scope (DESIGN §4): a clinical field the viewer may not read is `NOT_FOUND`.

mod centres;
mod clinical;
mod meetings;
mod observations;
mod plans;
mod questions;
mod relatives;
mod residents;
mod roster;
mod sessions;
mod terms;

pub use centres::*;
pub use clinical::*;
pub use meetings::*;
pub use observations::*;
pub use plans::*;
pub use questions::*;
pub use relatives::*;
pub use residents::*;
pub use roster::*;
pub use sessions::*;
pub use terms::*;

use super::loaders::*;
use crate::auth::Viewer;
use crate::error::AppResult;
use crate::services::access;
use async_graphql::{Context, ID, Interface};

fn loader<'a>(ctx: &Context<'a>) -> &'a Loaders {
    ctx.data_unchecked::<Loaders>()
}

async fn load_doctor(ctx: &Context<'_>, id: uuid::Uuid) -> AppResult<Option<Doctor>> {
    Ok(loader(ctx).load_one(DoctorById(id)).await?.map(Doctor))
}

async fn load_user(ctx: &Context<'_>, id: uuid::Uuid) -> AppResult<Option<User>> {
    Ok(loader(ctx).load_one(UserById(id)).await?.map(User))
}

/// Loads a resident by id if the viewer may see it (else `None`: e.g. a general question). The
/// resident's fields log the read.
async fn visible_resident(ctx: &Context<'_>, viewer: &Viewer, id: uuid::Uuid) -> AppResult<Option<Resident>> {
    let resident = loader(ctx).load_one(ResidentById(id)).await?;
    Ok(resident.filter(|r| access::can_see_resident(viewer, r)).map(Resident))
}

#[derive(Interface)]
#[graphql(field(name = "id", ty = "ID"))]
pub enum Node {
    CareCentre(CareCentre),
    Resident(Resident),
    Observation(Observation),
    Question(Question),
    Meeting(Meeting),
    CarePlan(CarePlan),
}
