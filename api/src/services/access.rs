//! Who may see what (DESIGN §4), as SQL conditions for lists and as checks for single rows.

use crate::auth::Viewer;
use crate::error::{AppError, AppResult};
use entities::enums::{CarePlanStatus, MeetingKind, Role};
use entities::{care_centre, care_plan, meeting, meeting_invitation, question, resident};
use sea_orm::sea_query::{Expr, ExprTrait, Query};
use sea_orm::{ColumnTrait, Condition};

/// A condition no row satisfies.
pub fn nothing() -> Condition {
    Condition::all().add(Expr::val(1).eq(0))
}

/// Care centres the viewer sees (relatives: their resident's centre, name and contact only).
pub fn centre_scope(viewer: &Viewer) -> Condition {
    match viewer.role {
        Role::Admin => Condition::all(),
        _ => Condition::all().add(care_centre::Column::Id.is_in(viewer.care_centre_ids.clone())),
    }
}

/// Residents whose roster entry (name, room, status, GP) the viewer sees.
pub fn roster_scope(viewer: &Viewer) -> Condition {
    match viewer.role {
        Role::Admin => Condition::all(),
        Role::Relative => Condition::all().add(resident::Column::Id.is_in(viewer.resident_ids.clone())),
        Role::Nurse | Role::Coordinator | Role::Doctor => {
            Condition::all().add(resident::Column::CareCentreId.is_in(viewer.care_centre_ids.clone()))
        }
    }
}

pub fn can_see_resident(viewer: &Viewer, resident: &resident::Model) -> bool {
    match viewer.role {
        Role::Admin => true,
        Role::Relative => viewer.resident_ids.contains(&resident.id),
        _ => viewer.care_centre_ids.contains(&resident.care_centre_id),
    }
}

/// The clinical record (observations, medication, resuscitation, draft care plans): staff of the
/// resident's centre, and the resident's GP while attached to that centre. Never relatives or ADMIN.
pub fn can_read_clinical(viewer: &Viewer, resident: &resident::Model) -> bool {
    match viewer.role {
        Role::Nurse | Role::Coordinator => viewer.care_centre_ids.contains(&resident.care_centre_id),
        Role::Doctor => {
            viewer.doctor_id.is_some()
                && resident.gp_doctor_id == viewer.doctor_id
                && viewer.care_centre_ids.contains(&resident.care_centre_id)
        }
        Role::Relative | Role::Admin => false,
    }
}

pub fn require_clinical(viewer: &Viewer, resident: &resident::Model) -> AppResult<()> {
    if can_read_clinical(viewer, resident) { Ok(()) } else { Err(AppError::NotFound) }
}

/// Care plan versions the viewer may read for a resident they can see: staff all versions, the
/// GP all versions, relatives only versions that were agreed and shared with relatives.
pub fn care_plan_scope(viewer: &Viewer, resident: &resident::Model) -> Condition {
    match viewer.role {
        Role::Relative if viewer.resident_ids.contains(&resident.id) => Condition::all()
            .add(care_plan::Column::SharedWithRelatives.eq(true))
            .add(care_plan::Column::AgreedAt.is_not_null())
            .add(care_plan::Column::Status.is_in([CarePlanStatus::Agreed, CarePlanStatus::Superseded])),
        _ if can_read_clinical(viewer, resident) => Condition::all(),
        _ => nothing(),
    }
}

/// Questions: staff of the centre see all of its questions; a doctor those addressed to them in
/// centres they are attached to; nobody else.
pub fn question_scope(viewer: &Viewer) -> Condition {
    match (viewer.role, viewer.doctor_id) {
        (Role::Nurse | Role::Coordinator, _) => {
            Condition::all().add(question::Column::CareCentreId.is_in(viewer.care_centre_ids.clone()))
        }
        (Role::Doctor, Some(doctor)) => Condition::all()
            .add(question::Column::DoctorId.eq(doctor))
            .add(question::Column::CareCentreId.is_in(viewer.care_centre_ids.clone())),
        _ => nothing(),
    }
}

/// Meetings: staff and doctors of the centre, ADMIN all, relatives the care conferences they are invited to.
pub fn meeting_scope(viewer: &Viewer) -> Condition {
    match viewer.role {
        Role::Admin => Condition::all(),
        Role::Nurse | Role::Coordinator | Role::Doctor => {
            Condition::all().add(meeting::Column::CareCentreId.is_in(viewer.care_centre_ids.clone()))
        }
        Role::Relative => Condition::all().add(meeting::Column::Kind.eq(MeetingKind::CareConference)).add(
            meeting::Column::Id.in_subquery(
                Query::select()
                    .column(meeting_invitation::Column::MeetingId)
                    .from(meeting_invitation::Entity)
                    .and_where(meeting_invitation::Column::RelativeUserId.eq(viewer.user_id))
                    .to_owned(),
            ),
        ),
    }
}

/// Where the access-log row of a field that reaches a resident's data is written (DESIGN §7).
/// A request writes one row per resident and (action, outcome): a request that both reads a
/// resident's data and is refused some of it (a relative asking for their resident's name and
/// medication) logs two rows, `READ`/`ALLOWED` and `READ`/`DENIED`; a refused field never also
/// logs an allowed read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Logged {
    /// By the field itself: a read, or a refused read when the field is refused for the viewer.
    ByField,
    /// By what handed the object out, for all of its fields at once: the `Resident` field it
    /// came through, `node`, `question`, or a list of questions (a refusal there is a refused read).
    ByLookup,
    /// Not the resident's data (an agenda item's position, the viewer's own name): no row.
    NotResidentData,
}

/// Every field of the types that carry a resident's data, and where its row is written. A test
/// fails when the schema gains a field of these types that is not listed; the black-box table
/// test walks the list (one row per resident, with the right action and outcome).
pub const RESIDENT_DATA: &[(&str, &[(&str, Logged)])] = {
    use Logged::*;
    &[
        (
            "Resident",
            &[
                ("id", ByField),
                ("fullName", ByField),
                ("dateOfBirth", ByField),
                ("room", ByField),
                ("movedInOn", ByField),
                ("status", ByField),
                ("spo2Scale", ByField),
                ("intakeStage", ByField),
                ("version", ByField),
                ("careCentre", ByField),
                ("generalPractitioner", ByField),
                ("clinicalAccess", ByField),
                ("latestObservation", ByField),
                ("observations", ByField),
                ("news2Trend", ByField),
                ("medications", ByField),
                ("activeMedicationCount", ByField),
                ("polypharmacy", ByField),
                ("medicationReviewDue", ByField),
                ("medicationReviews", ByField),
                ("resuscitation", ByField),
                ("resuscitationHistory", ByField),
                ("carePlan", ByField),
                ("carePlans", ByField),
                ("relatives", ByField),
                ("questions", ByField),
                ("accessLog", ByField),
                ("openQuestionCount", ByField),
            ],
        ),
        (
            "Observation",
            &[
                ("id", ByLookup),
                ("resident", ByLookup),
                ("recordedAt", ByLookup),
                ("receivedAt", ByLookup),
                ("recordedBy", ByLookup),
                ("respirationRate", ByLookup),
                ("oxygenSaturation", ByLookup),
                ("onSupplementalOxygen", ByLookup),
                ("systolicBp", ByLookup),
                ("diastolicBp", ByLookup),
                ("pulse", ByLookup),
                ("consciousness", ByLookup),
                ("temperature", ByLookup),
                ("bloodGlucose", ByLookup),
                ("weightKg", ByLookup),
                ("painScore", ByLookup),
                ("note", ByLookup),
                ("news2", ByLookup),
                ("enteredInError", ByLookup),
                ("enteredInErrorReason", ByLookup),
            ],
        ),
        (
            "Question",
            &[
                ("id", ByLookup),
                ("careCentre", ByLookup),
                ("resident", ByLookup),
                ("askedBy", ByLookup),
                ("doctor", ByLookup),
                ("subject", ByLookup),
                ("body", ByLookup),
                ("category", ByLookup),
                ("priority", ByLookup),
                ("status", ByLookup),
                ("askedAt", ByLookup),
                ("dueAt", ByLookup),
                ("answeredAt", ByLookup),
                ("closedAt", ByLookup),
                ("overdue", ByLookup),
                ("overrideReason", ByLookup),
                ("missingVitals", ByLookup),
                ("messages", ByLookup),
                ("attachedObservations", ByLookup),
            ],
        ),
        (
            "AgendaItem",
            &[
                ("id", NotResidentData),
                ("meeting", NotResidentData),
                ("topic", NotResidentData),
                ("title", ByField),
                ("description", ByField),
                ("resident", ByField),
                ("proposedBy", NotResidentData),
                ("sourceQuestion", ByField),
                ("addedAfterDeadline", NotResidentData),
                ("outcome", ByField),
                ("position", NotResidentData),
            ],
        ),
        (
            "CarePlan",
            &[
                ("id", ByLookup),
                ("revision", ByLookup),
                ("version", ByLookup),
                ("status", ByLookup),
                ("goals", ByLookup),
                ("sections", ByLookup),
                ("agreedAt", ByLookup),
                ("agreedWith", ByLookup),
                ("sharedWithRelatives", ByLookup),
                ("updatedAt", ByLookup),
                ("acknowledgedByMe", ByLookup),
                ("acknowledgements", ByLookup),
            ],
        ),
        (
            "Medication",
            &[
                ("id", ByLookup),
                ("name", ByLookup),
                ("strength", ByLookup),
                ("dosage", ByLookup),
                ("prn", ByLookup),
                ("doseDispensed", ByLookup),
                ("indication", ByLookup),
                ("startedOn", ByLookup),
                ("stoppedOn", ByLookup),
                ("active", ByLookup),
            ],
        ),
        (
            "MedicationReview",
            &[
                ("id", ByLookup),
                ("reviewedAt", ByLookup),
                ("doctor", ByLookup),
                ("activeCountBefore", ByLookup),
                ("activeCountAfter", ByLookup),
                ("notes", ByLookup),
            ],
        ),
        (
            "ResuscitationDecision",
            &[
                ("id", ByLookup),
                ("decision", ByLookup),
                ("note", ByLookup),
                ("decidedBy", ByLookup),
                ("decidedAt", ByLookup),
            ],
        ),
        (
            "RelativeLink",
            &[
                ("id", ByLookup),
                ("relative", ByLookup),
                ("relation", ByLookup),
                ("consentRecordedAt", ByLookup),
                ("consentExpiresAt", ByLookup),
                ("revokedAt", ByLookup),
                ("active", ByLookup),
            ],
        ),
        (
            "Viewer",
            &[
                ("user", NotResidentData),
                ("role", NotResidentData),
                ("displayName", NotResidentData),
                ("email", NotResidentData),
                ("locale", NotResidentData),
                ("careCentres", NotResidentData),
                ("doctor", NotResidentData),
                // Logged by the residents' own fields, also in the `login` answer.
                ("residents", ByField),
            ],
        ),
    ]
};

#[cfg(test)]
mod tests {
    use super::RESIDENT_DATA;

    /// The fields of `ty` in the exported schema, in order.
    fn fields(sdl: &str, ty: &str) -> Vec<String> {
        let start = sdl.find(&format!("\ntype {ty} ")).unwrap_or_else(|| panic!("type {ty} in the schema"));
        let body = &sdl[start..];
        let body = &body[body.find('{').expect("{")..body.find("\n}").expect("}")];
        let mut in_doc = false;
        let mut names = Vec::new();
        for line in body.lines().skip(1) {
            let line = line.trim();
            if line.starts_with("\"\"\"") {
                // A one-line description opens and closes on the same line.
                in_doc ^= !(line.len() > 3 && line.ends_with("\"\"\""));
                continue;
            }
            if in_doc || line.is_empty() {
                continue;
            }
            let end = line.find(['(', ':']).expect("a field");
            names.push(line[..end].to_owned());
        }
        names
    }

    /// A new field on a type that carries a resident's data fails here until it is listed in
    /// [`RESIDENT_DATA`] with where its access-log row is written (and the table test walks it).
    #[test]
    fn every_field_of_a_resident_data_type_is_listed() {
        let sdl = crate::graphql::sdl();
        for (ty, listed) in RESIDENT_DATA {
            let listed: Vec<String> = listed.iter().map(|(field, _)| (*field).to_owned()).collect();
            assert_eq!(fields(&sdl, ty), listed, "the fields of {ty} in the schema and in RESIDENT_DATA");
        }
    }
}
