//! Opaque Relay global IDs: base64url("Type:uuid"). The database keeps plain UUIDv7s.

use crate::error::AppError;
use async_graphql::ID;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use uuid::Uuid;

/// The GraphQL object types that have global IDs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    User,
    CareCentre,
    Doctor,
    Agreement,
    Resident,
    ResuscitationDecision,
    Observation,
    Question,
    Message,
    Meeting,
    AgendaItem,
    CarePlan,
    Medication,
    MedicationReview,
    TimeEntry,
    RelativeLink,
    Invite,
}

impl Kind {
    const ALL: [Kind; 17] = [
        Kind::User,
        Kind::CareCentre,
        Kind::Doctor,
        Kind::Agreement,
        Kind::Resident,
        Kind::ResuscitationDecision,
        Kind::Observation,
        Kind::Question,
        Kind::Message,
        Kind::Meeting,
        Kind::AgendaItem,
        Kind::CarePlan,
        Kind::Medication,
        Kind::MedicationReview,
        Kind::TimeEntry,
        Kind::RelativeLink,
        Kind::Invite,
    ];

    fn name(self) -> &'static str {
        match self {
            Kind::User => "User",
            Kind::CareCentre => "CareCentre",
            Kind::Doctor => "Doctor",
            Kind::Agreement => "CollaborationAgreement",
            Kind::Resident => "Resident",
            Kind::ResuscitationDecision => "ResuscitationDecision",
            Kind::Observation => "Observation",
            Kind::Question => "Question",
            Kind::Message => "Message",
            Kind::Meeting => "Meeting",
            Kind::AgendaItem => "AgendaItem",
            Kind::CarePlan => "CarePlan",
            Kind::Medication => "Medication",
            Kind::MedicationReview => "MedicationReview",
            Kind::TimeEntry => "TimeEntry",
            Kind::RelativeLink => "RelativeLink",
            Kind::Invite => "Invite",
        }
    }
}

pub fn encode(kind: Kind, id: Uuid) -> ID {
    ID(URL_SAFE_NO_PAD.encode(format!("{}:{}", kind.name(), id)))
}

/// Decodes any global ID into its kind and UUID; `field` names the argument in the error.
pub fn decode_any(id: &ID, field: &str) -> Result<(Kind, Uuid), AppError> {
    let invalid = || AppError::validation(field, "Not a valid ID");
    let bytes = URL_SAFE_NO_PAD.decode(id.as_str()).map_err(|_| invalid())?;
    let text = String::from_utf8(bytes).map_err(|_| invalid())?;
    let (name, uuid) = text.split_once(':').ok_or_else(invalid)?;
    let kind = Kind::ALL.into_iter().find(|k| k.name() == name).ok_or_else(invalid)?;
    let uuid = Uuid::parse_str(uuid).map_err(|_| invalid())?;
    Ok((kind, uuid))
}

/// Decodes a global ID that must be of `kind`. An ID of another kind names no such object,
/// so it answers `NOT_FOUND` like any object outside the viewer's scope.
pub fn decode(id: &ID, kind: Kind, field: &str) -> Result<Uuid, AppError> {
    match decode_any(id, field)? {
        (k, uuid) if k == kind => Ok(uuid),
        _ => Err(AppError::NotFound),
    }
}

pub fn new_id() -> Uuid {
    Uuid::now_v7()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_checks_kind() {
        let uuid = new_id();
        let id = encode(Kind::Resident, uuid);
        assert_eq!(decode(&id, Kind::Resident, "id").ok(), Some(uuid));
        assert!(matches!(decode(&id, Kind::Question, "id"), Err(AppError::NotFound)));
        assert!(matches!(decode(&ID("garbage!".into()), Kind::Resident, "id"), Err(AppError::Validation { .. })));
    }
}
