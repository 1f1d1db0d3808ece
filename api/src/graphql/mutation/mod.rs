//! Mutation root (DESIGN §6): one part per area, merged into one root.

mod administration;
mod clinical;
mod meetings;
mod observations;
mod plans;
mod questions;
mod relatives;
mod roster;
mod sessions;
mod terms;

use async_graphql::MergedObject;

#[derive(MergedObject, Default)]
pub struct MutationRoot(
    sessions::SessionMutations,
    observations::ObservationMutations,
    questions::QuestionMutations,
    meetings::MeetingMutations,
    roster::RosterMutations,
    clinical::ClinicalMutations,
    plans::PlanMutations,
    terms::TermsMutations,
    relatives::RelativeMutations,
    administration::AdminMutations,
);
