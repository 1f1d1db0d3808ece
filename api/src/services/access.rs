//! Who may see what (DESIGN §4), as SQL conditions for lists and as checks for single rows.

use crate::auth::Viewer;
use crate::error::{AppError, AppResult};
use entities::enums::{CarePlanStatus, MeetingKind, Role};
use entities::{care_centre, care_plan, meeting, meeting_invitation, question, resident};
use sea_orm::sea_query::{Expr, ExprTrait, Query};
use sea_orm::{ColumnTrait, Condition};
use uuid::Uuid;

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

/// The in-memory twin of [`centre_scope`], for a centre named in a request (a roster page).
pub fn can_see_centre(viewer: &Viewer, centre: Uuid) -> bool {
    match viewer.role {
        Role::Admin => true,
        _ => viewer.care_centre_ids.contains(&centre),
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

/// The in-memory twin of [`roster_scope`].
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

/// The in-memory twin of [`question_scope`], for a question reached through another object (an
/// agenda item's source question).
pub fn can_see_question(viewer: &Viewer, question: &question::Model) -> bool {
    match (viewer.role, viewer.doctor_id) {
        (Role::Nurse | Role::Coordinator, _) => viewer.care_centre_ids.contains(&question.care_centre_id),
        (Role::Doctor, Some(doctor)) => {
            question.doctor_id == doctor && viewer.care_centre_ids.contains(&question.care_centre_id)
        }
        _ => false,
    }
}

/// The doctor a question is addressed to, who alone answers it and moves it to an agenda.
pub fn is_addressed_doctor(viewer: &Viewer, question: &question::Model) -> bool {
    viewer.role == Role::Doctor && viewer.doctor_id == Some(question.doctor_id)
}

/// How many questions about a resident are open, whoever they are addressed to: staff of the
/// resident's centre and the resident's GP, as for the clinical record; nobody else.
pub fn can_count_open_questions(viewer: &Viewer, resident: &resident::Model) -> bool {
    can_read_clinical(viewer, resident)
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
    use super::*;

    const CENTRE: Uuid = Uuid::from_u128(1);
    const OTHER_CENTRE: Uuid = Uuid::from_u128(2);
    const RESIDENT: Uuid = Uuid::from_u128(10);
    const OTHER_RESIDENT: Uuid = Uuid::from_u128(11);
    /// The resident's GP.
    const GP: Uuid = Uuid::from_u128(20);
    const OTHER_DOCTOR: Uuid = Uuid::from_u128(21);

    fn viewer(role: Role, centres: &[Uuid], doctor: Option<Uuid>, residents: &[Uuid]) -> Viewer {
        Viewer {
            user_id: Uuid::from_u128(99),
            role,
            display_name: String::new(),
            email: String::new(),
            locale: String::new(),
            care_centre_ids: centres.to_vec(),
            doctor_id: doctor,
            resident_ids: residents.to_vec(),
            audit: Default::default(),
        }
    }

    /// A resident of `CENTRE` whose GP is `GP`.
    fn resident() -> resident::Model {
        let day = chrono::NaiveDate::from_ymd_opt(1940, 1, 1).expect("date");
        resident::Model {
            id: RESIDENT,
            care_centre_id: CENTRE,
            full_name: String::new(),
            search_text: String::new(),
            date_of_birth: day,
            room: String::new(),
            moved_in_on: day,
            status: entities::enums::ResidentStatus::Active,
            gp_doctor_id: Some(GP),
            external_gp_name: None,
            external_gp_clinic: None,
            spo2_scale: entities::enums::Spo2Scale::Scale1,
            intake_stage: 0,
            version: 1,
            created_at: chrono::DateTime::UNIX_EPOCH,
            updated_at: chrono::DateTime::UNIX_EPOCH,
        }
    }

    /// A question about the resident, asked in `CENTRE` and addressed to `doctor`.
    fn question_to(doctor: Uuid) -> question::Model {
        question::Model {
            id: Uuid::from_u128(30),
            care_centre_id: CENTRE,
            resident_id: Some(RESIDENT),
            asked_by: Uuid::from_u128(98),
            doctor_id: doctor,
            subject: String::new(),
            body: String::new(),
            category: None,
            priority: entities::enums::QuestionPriority::Routine,
            status: entities::enums::QuestionStatus::Open,
            asked_at: chrono::DateTime::UNIX_EPOCH,
            due_at: chrono::DateTime::UNIX_EPOCH,
            answered_at: None,
            closed_at: None,
            override_reason: None,
            missing_vitals: serde_json::Value::Array(Vec::new()),
            client_mutation_id: Uuid::from_u128(31),
            payload_hash: String::new(),
            version: 1,
            created_at: chrono::DateTime::UNIX_EPOCH,
            updated_at: chrono::DateTime::UNIX_EPOCH,
        }
    }

    /// The object kinds of the table's columns, and whether the viewer sees each of them.
    const KINDS: [&str; 6] = [
        "centre",
        "roster entry",
        "clinical record",
        "open question count",
        "question to the GP",
        "question to another doctor",
    ];

    fn sees(viewer: &Viewer) -> [bool; 6] {
        let resident = resident();
        [
            can_see_centre(viewer, CENTRE),
            can_see_resident(viewer, &resident),
            can_read_clinical(viewer, &resident),
            can_count_open_questions(viewer, &resident),
            can_see_question(viewer, &question_to(GP)),
            can_see_question(viewer, &question_to(OTHER_DOCTOR)),
        ]
    }

    /// DESIGN §4 as a table: role and relation to the resident (of `CENTRE`, GP `GP`) × object
    /// kind → visible? A changed rule fails here, naming the cell.
    #[test]
    fn who_sees_what() {
        use Role::*;
        let table: [(&str, Viewer, [bool; 6]); 11] = [
            ("nurse of the centre", viewer(Nurse, &[CENTRE], None, &[]), [true, true, true, true, true, true]),
            ("nurse of another centre", viewer(Nurse, &[OTHER_CENTRE], None, &[]), [false; 6]),
            ("coordinator of the centre", viewer(Coordinator, &[CENTRE], None, &[]), [true; 6]),
            ("coordinator of another centre", viewer(Coordinator, &[OTHER_CENTRE], None, &[]), [false; 6]),
            (
                "GP attached to the centre",
                viewer(Doctor, &[CENTRE], Some(GP), &[]),
                [true, true, true, true, true, false],
            ),
            ("GP detached from the centre", viewer(Doctor, &[OTHER_CENTRE], Some(GP), &[]), [false; 6]),
            (
                "another doctor attached to the centre",
                viewer(Doctor, &[CENTRE], Some(OTHER_DOCTOR), &[]),
                [true, true, false, false, false, true],
            ),
            ("doctor user without a doctor profile", viewer(Doctor, &[], None, &[]), [false; 6]),
            (
                "relative of the resident",
                viewer(Relative, &[CENTRE], None, &[RESIDENT]),
                [true, true, false, false, false, false],
            ),
            (
                "relative of another resident of the centre",
                viewer(Relative, &[CENTRE], None, &[OTHER_RESIDENT]),
                [true, false, false, false, false, false],
            ),
            ("admin", viewer(Admin, &[], None, &[]), [true, true, false, false, false, false]),
        ];
        let wrong: Vec<String> = table
            .iter()
            .flat_map(|(who, viewer, expected)| {
                let got = sees(viewer);
                (0..KINDS.len())
                    .filter(move |&k| got[k] != expected[k])
                    .map(move |k| format!("{who} / {}: expected {}, got {}", KINDS[k], expected[k], got[k]))
            })
            .collect();
        assert!(wrong.is_empty(), "visibility changed:\n{}", wrong.join("\n"));
    }

    /// Only the doctor a question is addressed to acts on it as its doctor.
    #[test]
    fn only_the_addressed_doctor_acts_as_it() {
        let question = question_to(GP);
        assert!(is_addressed_doctor(&viewer(Role::Doctor, &[CENTRE], Some(GP), &[]), &question));
        assert!(!is_addressed_doctor(&viewer(Role::Doctor, &[CENTRE], Some(OTHER_DOCTOR), &[]), &question));
        assert!(!is_addressed_doctor(&viewer(Role::Nurse, &[CENTRE], None, &[]), &question));
    }

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
