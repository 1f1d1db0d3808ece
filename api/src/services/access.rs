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
