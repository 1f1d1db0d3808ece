//! sea-orm entities of Plejelink: storage only, no GraphQL types and no business rules.

pub mod agenda_item;
pub mod audit_event;
pub mod care_centre;
pub mod care_plan;
pub mod care_plan_acknowledgement;
pub mod collaboration_agreement;
pub mod doctor;
pub mod doctor_attachment;
pub mod enums;
pub mod idempotency_key;
pub mod invite;
pub mod medication;
pub mod medication_review;
pub mod meeting;
pub mod meeting_invitation;
pub mod message;
pub mod observation;
pub mod question;
pub mod question_observation;
pub mod refresh_token;
pub mod relative_link;
pub mod resident;
pub mod resuscitation_decision;
pub mod staff_membership;
pub mod time_entry;
pub mod user;

pub mod prelude {
    pub use super::agenda_item::Entity as AgendaItems;
    pub use super::audit_event::Entity as AuditEvents;
    pub use super::care_centre::Entity as CareCentres;
    pub use super::care_plan::Entity as CarePlans;
    pub use super::care_plan_acknowledgement::Entity as CarePlanAcknowledgements;
    pub use super::collaboration_agreement::Entity as CollaborationAgreements;
    pub use super::doctor::Entity as Doctors;
    pub use super::doctor_attachment::Entity as DoctorAttachments;
    pub use super::idempotency_key::Entity as IdempotencyKeys;
    pub use super::invite::Entity as Invites;
    pub use super::medication::Entity as Medications;
    pub use super::medication_review::Entity as MedicationReviews;
    pub use super::meeting::Entity as Meetings;
    pub use super::meeting_invitation::Entity as MeetingInvitations;
    pub use super::message::Entity as Messages;
    pub use super::observation::Entity as Observations;
    pub use super::question::Entity as Questions;
    pub use super::question_observation::Entity as QuestionObservations;
    pub use super::refresh_token::Entity as RefreshTokens;
    pub use super::relative_link::Entity as RelativeLinks;
    pub use super::resident::Entity as Residents;
    pub use super::resuscitation_decision::Entity as ResuscitationDecisions;
    pub use super::staff_membership::Entity as StaffMemberships;
    pub use super::time_entry::Entity as TimeEntries;
    pub use super::user::Entity as Users;
}
