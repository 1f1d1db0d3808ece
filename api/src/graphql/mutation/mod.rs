//! Mutation root (DESIGN §6): one part per area, merged into one root.

mod meetings;
mod observations;
mod questions;
mod sessions;

use async_graphql::MergedObject;

#[derive(MergedObject, Default)]
pub struct MutationRoot(
    sessions::SessionMutations,
    observations::ObservationMutations,
    questions::QuestionMutations,
    meetings::MeetingMutations,
);
