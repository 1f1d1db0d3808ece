//! The whole schema. Built with the schema builder, so the same code runs on SQLite and PostgreSQL.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// Every table, in foreign-key order.
const TABLES: &[&str] = &[
    "users",
    "care_centres",
    "staff_memberships",
    "doctors",
    "doctor_attachments",
    "collaboration_agreements",
    "residents",
    "resuscitation_decisions",
    "observations",
    "questions",
    "question_observations",
    "messages",
    "meetings",
    "meeting_invitations",
    "agenda_items",
    "care_plans",
    "care_plan_acknowledgements",
    "medications",
    "medication_reviews",
    "time_entries",
    "relative_links",
    "audit_events",
    "refresh_tokens",
    "idempotency_keys",
    "invites",
];

fn ident(name: &str) -> Alias {
    Alias::new(name)
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(ident("users"))
                    .col(ColumnDef::new(ident("id")).uuid().not_null().primary_key())
                    .col(ColumnDef::new(ident("email")).text().not_null().unique_key())
                    .col(ColumnDef::new(ident("password_hash")).text().not_null())
                    .col(ColumnDef::new(ident("display_name")).text().not_null())
                    .col(ColumnDef::new(ident("role")).string().not_null())
                    .col(ColumnDef::new(ident("locale")).text().not_null())
                    .col(ColumnDef::new(ident("active")).boolean().not_null())
                    .col(ColumnDef::new(ident("tokens_valid_after")).timestamp_with_time_zone().not_null())
                    .col(ColumnDef::new(ident("version")).integer().not_null().default(1))
                    .col(ColumnDef::new(ident("created_at")).timestamp_with_time_zone().not_null())
                    .col(ColumnDef::new(ident("updated_at")).timestamp_with_time_zone().not_null())
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(ident("care_centres"))
                    .col(ColumnDef::new(ident("id")).uuid().not_null().primary_key())
                    .col(ColumnDef::new(ident("name")).text().not_null())
                    .col(ColumnDef::new(ident("municipality")).text().not_null())
                    .col(ColumnDef::new(ident("address")).text().not_null())
                    .col(ColumnDef::new(ident("phone")).text().not_null())
                    .col(ColumnDef::new(ident("hotline_phone")).text().not_null())
                    .col(ColumnDef::new(ident("weekly_advisory_minutes")).integer().not_null())
                    .col(ColumnDef::new(ident("version")).integer().not_null().default(1))
                    .col(ColumnDef::new(ident("created_at")).timestamp_with_time_zone().not_null())
                    .col(ColumnDef::new(ident("updated_at")).timestamp_with_time_zone().not_null())
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(ident("staff_memberships"))
                    .col(ColumnDef::new(ident("id")).uuid().not_null().primary_key())
                    .col(ColumnDef::new(ident("user_id")).uuid().not_null())
                    .col(ColumnDef::new(ident("care_centre_id")).uuid().not_null())
                    .col(ColumnDef::new(ident("ended_at")).timestamp_with_time_zone().null())
                    .col(ColumnDef::new(ident("created_at")).timestamp_with_time_zone().not_null())
                    .col(ColumnDef::new(ident("updated_at")).timestamp_with_time_zone().not_null())
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_staff_memberships_user_id")
                            .from(ident("staff_memberships"), ident("user_id"))
                            .to(ident("users"), ident("id"))
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_staff_memberships_care_centre_id")
                            .from(ident("staff_memberships"), ident("care_centre_id"))
                            .to(ident("care_centres"), ident("id"))
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .to_owned(),
            )
            .await?;
        create_index(manager, "staff_memberships", &["user_id", "care_centre_id"], true).await?;
        create_index(manager, "staff_memberships", &["care_centre_id"], false).await?;
        manager
            .create_table(
                Table::create()
                    .table(ident("doctors"))
                    .col(ColumnDef::new(ident("id")).uuid().not_null().primary_key())
                    .col(ColumnDef::new(ident("user_id")).uuid().not_null().unique_key())
                    .col(ColumnDef::new(ident("authorisation_id")).text().not_null())
                    .col(ColumnDef::new(ident("practice_name")).text().not_null())
                    .col(ColumnDef::new(ident("phone")).text().not_null())
                    .col(ColumnDef::new(ident("created_at")).timestamp_with_time_zone().not_null())
                    .col(ColumnDef::new(ident("updated_at")).timestamp_with_time_zone().not_null())
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_doctors_user_id")
                            .from(ident("doctors"), ident("user_id"))
                            .to(ident("users"), ident("id"))
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(ident("doctor_attachments"))
                    .col(ColumnDef::new(ident("id")).uuid().not_null().primary_key())
                    .col(ColumnDef::new(ident("doctor_id")).uuid().not_null())
                    .col(ColumnDef::new(ident("care_centre_id")).uuid().not_null())
                    .col(ColumnDef::new(ident("ended_at")).timestamp_with_time_zone().null())
                    .col(ColumnDef::new(ident("created_at")).timestamp_with_time_zone().not_null())
                    .col(ColumnDef::new(ident("updated_at")).timestamp_with_time_zone().not_null())
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_doctor_attachments_doctor_id")
                            .from(ident("doctor_attachments"), ident("doctor_id"))
                            .to(ident("doctors"), ident("id"))
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_doctor_attachments_care_centre_id")
                            .from(ident("doctor_attachments"), ident("care_centre_id"))
                            .to(ident("care_centres"), ident("id"))
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .to_owned(),
            )
            .await?;
        create_index(manager, "doctor_attachments", &["doctor_id", "care_centre_id"], true).await?;
        create_index(manager, "doctor_attachments", &["care_centre_id"], false).await?;
        manager
            .create_table(
                Table::create()
                    .table(ident("collaboration_agreements"))
                    .col(ColumnDef::new(ident("id")).uuid().not_null().primary_key())
                    .col(ColumnDef::new(ident("care_centre_id")).uuid().not_null())
                    .col(ColumnDef::new(ident("doctor_id")).uuid().not_null())
                    .col(ColumnDef::new(ident("revision")).integer().not_null())
                    .col(ColumnDef::new(ident("status")).string().not_null())
                    .col(ColumnDef::new(ident("meeting_cadence")).string().not_null())
                    .col(ColumnDef::new(ident("agenda_deadline_hours")).integer().not_null())
                    .col(ColumnDef::new(ident("routine_answer_working_days")).integer().not_null())
                    .col(ColumnDef::new(ident("urgent_answer_hours")).integer().not_null())
                    .col(ColumnDef::new(ident("fast_response_windows")).json_binary().not_null())
                    .col(ColumnDef::new(ident("hotline_usage")).text().not_null())
                    .col(ColumnDef::new(ident("required_vitals")).json_binary().not_null())
                    .col(ColumnDef::new(ident("vitals_max_age_hours")).integer().not_null())
                    .col(ColumnDef::new(ident("relatives_contacted_by")).string().not_null())
                    .col(ColumnDef::new(ident("move_in_coordinated_by")).string().not_null())
                    .col(ColumnDef::new(ident("resuscitation_documented_by")).string().not_null())
                    .col(ColumnDef::new(ident("next_evaluation_on")).date().null())
                    .col(ColumnDef::new(ident("proposed_by")).uuid().null())
                    .col(ColumnDef::new(ident("coordinator_accepted_by")).uuid().null())
                    .col(ColumnDef::new(ident("coordinator_accepted_at")).timestamp_with_time_zone().null())
                    .col(ColumnDef::new(ident("doctor_accepted_by")).uuid().null())
                    .col(ColumnDef::new(ident("doctor_accepted_at")).timestamp_with_time_zone().null())
                    .col(ColumnDef::new(ident("agreed_at")).timestamp_with_time_zone().null())
                    .col(ColumnDef::new(ident("version")).integer().not_null().default(1))
                    .col(ColumnDef::new(ident("created_at")).timestamp_with_time_zone().not_null())
                    .col(ColumnDef::new(ident("updated_at")).timestamp_with_time_zone().not_null())
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_collaboration_agreements_care_centre_id")
                            .from(ident("collaboration_agreements"), ident("care_centre_id"))
                            .to(ident("care_centres"), ident("id"))
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_collaboration_agreements_doctor_id")
                            .from(ident("collaboration_agreements"), ident("doctor_id"))
                            .to(ident("doctors"), ident("id"))
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_collaboration_agreements_proposed_by")
                            .from(ident("collaboration_agreements"), ident("proposed_by"))
                            .to(ident("users"), ident("id"))
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_collaboration_agreements_coordinator_accepted_by")
                            .from(ident("collaboration_agreements"), ident("coordinator_accepted_by"))
                            .to(ident("users"), ident("id"))
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_collaboration_agreements_doctor_accepted_by")
                            .from(ident("collaboration_agreements"), ident("doctor_accepted_by"))
                            .to(ident("users"), ident("id"))
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .to_owned(),
            )
            .await?;
        create_index(manager, "collaboration_agreements", &["care_centre_id", "doctor_id", "revision"], true).await?;
        manager
            .create_table(
                Table::create()
                    .table(ident("residents"))
                    .col(ColumnDef::new(ident("id")).uuid().not_null().primary_key())
                    .col(ColumnDef::new(ident("care_centre_id")).uuid().not_null())
                    .col(ColumnDef::new(ident("full_name")).text().not_null())
                    .col(ColumnDef::new(ident("search_text")).text().not_null())
                    .col(ColumnDef::new(ident("date_of_birth")).date().not_null())
                    .col(ColumnDef::new(ident("room")).text().not_null())
                    .col(ColumnDef::new(ident("moved_in_on")).date().not_null())
                    .col(ColumnDef::new(ident("status")).string().not_null())
                    .col(ColumnDef::new(ident("gp_doctor_id")).uuid().null())
                    .col(ColumnDef::new(ident("external_gp_name")).text().null())
                    .col(ColumnDef::new(ident("external_gp_clinic")).text().null())
                    .col(ColumnDef::new(ident("spo2_scale")).string().not_null())
                    .col(ColumnDef::new(ident("intake_stage")).integer().not_null())
                    .col(ColumnDef::new(ident("version")).integer().not_null().default(1))
                    .col(ColumnDef::new(ident("created_at")).timestamp_with_time_zone().not_null())
                    .col(ColumnDef::new(ident("updated_at")).timestamp_with_time_zone().not_null())
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_residents_care_centre_id")
                            .from(ident("residents"), ident("care_centre_id"))
                            .to(ident("care_centres"), ident("id"))
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_residents_gp_doctor_id")
                            .from(ident("residents"), ident("gp_doctor_id"))
                            .to(ident("doctors"), ident("id"))
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .to_owned(),
            )
            .await?;
        create_index(manager, "residents", &["care_centre_id", "full_name"], false).await?;
        create_index(manager, "residents", &["gp_doctor_id"], false).await?;
        manager
            .create_table(
                Table::create()
                    .table(ident("resuscitation_decisions"))
                    .col(ColumnDef::new(ident("id")).uuid().not_null().primary_key())
                    .col(ColumnDef::new(ident("resident_id")).uuid().not_null())
                    .col(ColumnDef::new(ident("decision")).string().not_null())
                    .col(ColumnDef::new(ident("note")).text().null())
                    .col(ColumnDef::new(ident("decided_by")).uuid().not_null())
                    .col(ColumnDef::new(ident("decided_at")).timestamp_with_time_zone().not_null())
                    .col(ColumnDef::new(ident("created_at")).timestamp_with_time_zone().not_null())
                    .col(ColumnDef::new(ident("updated_at")).timestamp_with_time_zone().not_null())
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_resuscitation_decisions_resident_id")
                            .from(ident("resuscitation_decisions"), ident("resident_id"))
                            .to(ident("residents"), ident("id"))
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_resuscitation_decisions_decided_by")
                            .from(ident("resuscitation_decisions"), ident("decided_by"))
                            .to(ident("doctors"), ident("id"))
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .to_owned(),
            )
            .await?;
        create_index(manager, "resuscitation_decisions", &["resident_id", "decided_at"], false).await?;
        manager
            .create_table(
                Table::create()
                    .table(ident("observations"))
                    .col(ColumnDef::new(ident("id")).uuid().not_null().primary_key())
                    .col(ColumnDef::new(ident("resident_id")).uuid().not_null())
                    .col(ColumnDef::new(ident("recorded_at")).timestamp_with_time_zone().not_null())
                    .col(ColumnDef::new(ident("received_at")).timestamp_with_time_zone().not_null())
                    .col(ColumnDef::new(ident("recorded_by")).uuid().not_null())
                    .col(ColumnDef::new(ident("respiration_rate")).integer().null())
                    .col(ColumnDef::new(ident("oxygen_saturation")).integer().null())
                    .col(ColumnDef::new(ident("on_supplemental_oxygen")).boolean().null())
                    .col(ColumnDef::new(ident("systolic_bp")).integer().null())
                    .col(ColumnDef::new(ident("diastolic_bp")).integer().null())
                    .col(ColumnDef::new(ident("pulse")).integer().null())
                    .col(ColumnDef::new(ident("consciousness")).string().null())
                    .col(ColumnDef::new(ident("temperature")).double().null())
                    .col(ColumnDef::new(ident("blood_glucose")).double().null())
                    .col(ColumnDef::new(ident("weight_kg")).double().null())
                    .col(ColumnDef::new(ident("pain_score")).integer().null())
                    .col(ColumnDef::new(ident("note")).text().null())
                    .col(ColumnDef::new(ident("news2_total")).integer().not_null())
                    .col(ColumnDef::new(ident("news2_risk")).string().not_null())
                    .col(ColumnDef::new(ident("news2_complete")).boolean().not_null())
                    .col(ColumnDef::new(ident("news2_any_single_three")).boolean().not_null())
                    .col(ColumnDef::new(ident("client_mutation_id")).uuid().not_null())
                    .col(ColumnDef::new(ident("payload_hash")).text().not_null())
                    .col(ColumnDef::new(ident("entered_in_error")).boolean().not_null())
                    .col(ColumnDef::new(ident("entered_in_error_reason")).text().null())
                    .col(ColumnDef::new(ident("entered_in_error_at")).timestamp_with_time_zone().null())
                    .col(ColumnDef::new(ident("entered_in_error_by")).uuid().null())
                    .col(ColumnDef::new(ident("created_at")).timestamp_with_time_zone().not_null())
                    .col(ColumnDef::new(ident("updated_at")).timestamp_with_time_zone().not_null())
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_observations_resident_id")
                            .from(ident("observations"), ident("resident_id"))
                            .to(ident("residents"), ident("id"))
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_observations_recorded_by")
                            .from(ident("observations"), ident("recorded_by"))
                            .to(ident("users"), ident("id"))
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_observations_entered_in_error_by")
                            .from(ident("observations"), ident("entered_in_error_by"))
                            .to(ident("users"), ident("id"))
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .to_owned(),
            )
            .await?;
        create_index(manager, "observations", &["recorded_by", "client_mutation_id"], true).await?;
        create_index(manager, "observations", &["resident_id", "recorded_at"], false).await?;
        manager
            .create_table(
                Table::create()
                    .table(ident("questions"))
                    .col(ColumnDef::new(ident("id")).uuid().not_null().primary_key())
                    .col(ColumnDef::new(ident("care_centre_id")).uuid().not_null())
                    .col(ColumnDef::new(ident("resident_id")).uuid().null())
                    .col(ColumnDef::new(ident("asked_by")).uuid().not_null())
                    .col(ColumnDef::new(ident("doctor_id")).uuid().not_null())
                    .col(ColumnDef::new(ident("subject")).text().not_null())
                    .col(ColumnDef::new(ident("body")).text().not_null())
                    .col(ColumnDef::new(ident("category")).text().null())
                    .col(ColumnDef::new(ident("priority")).string().not_null())
                    .col(ColumnDef::new(ident("status")).string().not_null())
                    .col(ColumnDef::new(ident("asked_at")).timestamp_with_time_zone().not_null())
                    .col(ColumnDef::new(ident("due_at")).timestamp_with_time_zone().not_null())
                    .col(ColumnDef::new(ident("answered_at")).timestamp_with_time_zone().null())
                    .col(ColumnDef::new(ident("closed_at")).timestamp_with_time_zone().null())
                    .col(ColumnDef::new(ident("override_reason")).text().null())
                    .col(ColumnDef::new(ident("missing_vitals")).json_binary().not_null())
                    .col(ColumnDef::new(ident("client_mutation_id")).uuid().not_null())
                    .col(ColumnDef::new(ident("payload_hash")).text().not_null())
                    .col(ColumnDef::new(ident("version")).integer().not_null().default(1))
                    .col(ColumnDef::new(ident("created_at")).timestamp_with_time_zone().not_null())
                    .col(ColumnDef::new(ident("updated_at")).timestamp_with_time_zone().not_null())
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_questions_care_centre_id")
                            .from(ident("questions"), ident("care_centre_id"))
                            .to(ident("care_centres"), ident("id"))
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_questions_resident_id")
                            .from(ident("questions"), ident("resident_id"))
                            .to(ident("residents"), ident("id"))
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_questions_asked_by")
                            .from(ident("questions"), ident("asked_by"))
                            .to(ident("users"), ident("id"))
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_questions_doctor_id")
                            .from(ident("questions"), ident("doctor_id"))
                            .to(ident("doctors"), ident("id"))
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .to_owned(),
            )
            .await?;
        create_index(manager, "questions", &["asked_by", "client_mutation_id"], true).await?;
        create_index(manager, "questions", &["doctor_id", "status", "due_at"], false).await?;
        create_index(manager, "questions", &["care_centre_id", "status"], false).await?;
        create_index(manager, "questions", &["resident_id"], false).await?;
        manager
            .create_table(
                Table::create()
                    .table(ident("question_observations"))
                    .col(ColumnDef::new(ident("id")).uuid().not_null().primary_key())
                    .col(ColumnDef::new(ident("question_id")).uuid().not_null())
                    .col(ColumnDef::new(ident("observation_id")).uuid().not_null())
                    .col(ColumnDef::new(ident("created_at")).timestamp_with_time_zone().not_null())
                    .col(ColumnDef::new(ident("updated_at")).timestamp_with_time_zone().not_null())
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_question_observations_question_id")
                            .from(ident("question_observations"), ident("question_id"))
                            .to(ident("questions"), ident("id"))
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_question_observations_observation_id")
                            .from(ident("question_observations"), ident("observation_id"))
                            .to(ident("observations"), ident("id"))
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .to_owned(),
            )
            .await?;
        create_index(manager, "question_observations", &["question_id", "observation_id"], true).await?;
        manager
            .create_table(
                Table::create()
                    .table(ident("messages"))
                    .col(ColumnDef::new(ident("id")).uuid().not_null().primary_key())
                    .col(ColumnDef::new(ident("question_id")).uuid().not_null())
                    .col(ColumnDef::new(ident("author_id")).uuid().not_null())
                    .col(ColumnDef::new(ident("body")).text().not_null())
                    .col(ColumnDef::new(ident("created_at")).timestamp_with_time_zone().not_null())
                    .col(ColumnDef::new(ident("updated_at")).timestamp_with_time_zone().not_null())
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_messages_question_id")
                            .from(ident("messages"), ident("question_id"))
                            .to(ident("questions"), ident("id"))
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_messages_author_id")
                            .from(ident("messages"), ident("author_id"))
                            .to(ident("users"), ident("id"))
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .to_owned(),
            )
            .await?;
        create_index(manager, "messages", &["question_id", "created_at"], false).await?;
        manager
            .create_table(
                Table::create()
                    .table(ident("meetings"))
                    .col(ColumnDef::new(ident("id")).uuid().not_null().primary_key())
                    .col(ColumnDef::new(ident("care_centre_id")).uuid().not_null())
                    .col(ColumnDef::new(ident("doctor_id")).uuid().not_null())
                    .col(ColumnDef::new(ident("kind")).string().not_null())
                    .col(ColumnDef::new(ident("starts_at")).timestamp_with_time_zone().not_null())
                    .col(ColumnDef::new(ident("duration_minutes")).integer().not_null())
                    .col(ColumnDef::new(ident("location")).text().not_null())
                    .col(ColumnDef::new(ident("status")).string().not_null())
                    .col(ColumnDef::new(ident("agenda_sent_at")).timestamp_with_time_zone().null())
                    .col(ColumnDef::new(ident("minutes")).text().null())
                    .col(ColumnDef::new(ident("attendees")).json_binary().not_null())
                    .col(ColumnDef::new(ident("held_at")).timestamp_with_time_zone().null())
                    .col(ColumnDef::new(ident("cancelled_at")).timestamp_with_time_zone().null())
                    .col(ColumnDef::new(ident("version")).integer().not_null().default(1))
                    .col(ColumnDef::new(ident("created_at")).timestamp_with_time_zone().not_null())
                    .col(ColumnDef::new(ident("updated_at")).timestamp_with_time_zone().not_null())
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_meetings_care_centre_id")
                            .from(ident("meetings"), ident("care_centre_id"))
                            .to(ident("care_centres"), ident("id"))
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_meetings_doctor_id")
                            .from(ident("meetings"), ident("doctor_id"))
                            .to(ident("doctors"), ident("id"))
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .to_owned(),
            )
            .await?;
        create_index(manager, "meetings", &["care_centre_id", "starts_at"], false).await?;
        create_index(manager, "meetings", &["status", "starts_at"], false).await?;
        manager
            .create_table(
                Table::create()
                    .table(ident("meeting_invitations"))
                    .col(ColumnDef::new(ident("id")).uuid().not_null().primary_key())
                    .col(ColumnDef::new(ident("meeting_id")).uuid().not_null())
                    .col(ColumnDef::new(ident("relative_user_id")).uuid().not_null())
                    .col(ColumnDef::new(ident("created_at")).timestamp_with_time_zone().not_null())
                    .col(ColumnDef::new(ident("updated_at")).timestamp_with_time_zone().not_null())
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_meeting_invitations_meeting_id")
                            .from(ident("meeting_invitations"), ident("meeting_id"))
                            .to(ident("meetings"), ident("id"))
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_meeting_invitations_relative_user_id")
                            .from(ident("meeting_invitations"), ident("relative_user_id"))
                            .to(ident("users"), ident("id"))
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .to_owned(),
            )
            .await?;
        create_index(manager, "meeting_invitations", &["meeting_id", "relative_user_id"], true).await?;
        manager
            .create_table(
                Table::create()
                    .table(ident("agenda_items"))
                    .col(ColumnDef::new(ident("id")).uuid().not_null().primary_key())
                    .col(ColumnDef::new(ident("meeting_id")).uuid().not_null())
                    .col(ColumnDef::new(ident("topic")).string().not_null())
                    .col(ColumnDef::new(ident("title")).text().not_null())
                    .col(ColumnDef::new(ident("description")).text().not_null())
                    .col(ColumnDef::new(ident("resident_id")).uuid().null())
                    .col(ColumnDef::new(ident("proposed_by")).uuid().not_null())
                    .col(ColumnDef::new(ident("source_question_id")).uuid().null())
                    .col(ColumnDef::new(ident("added_after_deadline")).boolean().not_null())
                    .col(ColumnDef::new(ident("outcome")).text().null())
                    .col(ColumnDef::new(ident("position")).integer().not_null())
                    .col(ColumnDef::new(ident("created_at")).timestamp_with_time_zone().not_null())
                    .col(ColumnDef::new(ident("updated_at")).timestamp_with_time_zone().not_null())
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_agenda_items_meeting_id")
                            .from(ident("agenda_items"), ident("meeting_id"))
                            .to(ident("meetings"), ident("id"))
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_agenda_items_resident_id")
                            .from(ident("agenda_items"), ident("resident_id"))
                            .to(ident("residents"), ident("id"))
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_agenda_items_proposed_by")
                            .from(ident("agenda_items"), ident("proposed_by"))
                            .to(ident("users"), ident("id"))
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_agenda_items_source_question_id")
                            .from(ident("agenda_items"), ident("source_question_id"))
                            .to(ident("questions"), ident("id"))
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .to_owned(),
            )
            .await?;
        create_index(manager, "agenda_items", &["meeting_id", "position"], false).await?;
        manager
            .create_table(
                Table::create()
                    .table(ident("care_plans"))
                    .col(ColumnDef::new(ident("id")).uuid().not_null().primary_key())
                    .col(ColumnDef::new(ident("resident_id")).uuid().not_null())
                    .col(ColumnDef::new(ident("revision")).integer().not_null())
                    .col(ColumnDef::new(ident("status")).string().not_null())
                    .col(ColumnDef::new(ident("goals")).text().not_null())
                    .col(ColumnDef::new(ident("sections")).json_binary().not_null())
                    .col(ColumnDef::new(ident("agreed_at")).timestamp_with_time_zone().null())
                    .col(ColumnDef::new(ident("agreed_with")).text().null())
                    .col(ColumnDef::new(ident("shared_with_relatives")).boolean().not_null())
                    .col(ColumnDef::new(ident("authored_by")).uuid().not_null())
                    .col(ColumnDef::new(ident("version")).integer().not_null().default(1))
                    .col(ColumnDef::new(ident("created_at")).timestamp_with_time_zone().not_null())
                    .col(ColumnDef::new(ident("updated_at")).timestamp_with_time_zone().not_null())
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_care_plans_resident_id")
                            .from(ident("care_plans"), ident("resident_id"))
                            .to(ident("residents"), ident("id"))
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_care_plans_authored_by")
                            .from(ident("care_plans"), ident("authored_by"))
                            .to(ident("users"), ident("id"))
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .to_owned(),
            )
            .await?;
        create_index(manager, "care_plans", &["resident_id", "revision"], true).await?;
        manager
            .create_table(
                Table::create()
                    .table(ident("care_plan_acknowledgements"))
                    .col(ColumnDef::new(ident("id")).uuid().not_null().primary_key())
                    .col(ColumnDef::new(ident("care_plan_id")).uuid().not_null())
                    .col(ColumnDef::new(ident("relative_user_id")).uuid().not_null())
                    .col(ColumnDef::new(ident("acknowledged_at")).timestamp_with_time_zone().not_null())
                    .col(ColumnDef::new(ident("created_at")).timestamp_with_time_zone().not_null())
                    .col(ColumnDef::new(ident("updated_at")).timestamp_with_time_zone().not_null())
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_care_plan_acknowledgements_care_plan_id")
                            .from(ident("care_plan_acknowledgements"), ident("care_plan_id"))
                            .to(ident("care_plans"), ident("id"))
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_care_plan_acknowledgements_relative_user_id")
                            .from(ident("care_plan_acknowledgements"), ident("relative_user_id"))
                            .to(ident("users"), ident("id"))
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .to_owned(),
            )
            .await?;
        create_index(manager, "care_plan_acknowledgements", &["care_plan_id", "relative_user_id"], true).await?;
        manager
            .create_table(
                Table::create()
                    .table(ident("medications"))
                    .col(ColumnDef::new(ident("id")).uuid().not_null().primary_key())
                    .col(ColumnDef::new(ident("resident_id")).uuid().not_null())
                    .col(ColumnDef::new(ident("name")).text().not_null())
                    .col(ColumnDef::new(ident("strength")).text().not_null())
                    .col(ColumnDef::new(ident("dosage")).text().not_null())
                    .col(ColumnDef::new(ident("prn")).boolean().not_null())
                    .col(ColumnDef::new(ident("dose_dispensed")).boolean().not_null())
                    .col(ColumnDef::new(ident("indication")).text().null())
                    .col(ColumnDef::new(ident("started_on")).date().not_null())
                    .col(ColumnDef::new(ident("stopped_on")).date().null())
                    .col(ColumnDef::new(ident("version")).integer().not_null().default(1))
                    .col(ColumnDef::new(ident("created_at")).timestamp_with_time_zone().not_null())
                    .col(ColumnDef::new(ident("updated_at")).timestamp_with_time_zone().not_null())
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_medications_resident_id")
                            .from(ident("medications"), ident("resident_id"))
                            .to(ident("residents"), ident("id"))
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .to_owned(),
            )
            .await?;
        create_index(manager, "medications", &["resident_id"], false).await?;
        manager
            .create_table(
                Table::create()
                    .table(ident("medication_reviews"))
                    .col(ColumnDef::new(ident("id")).uuid().not_null().primary_key())
                    .col(ColumnDef::new(ident("resident_id")).uuid().not_null())
                    .col(ColumnDef::new(ident("doctor_id")).uuid().not_null())
                    .col(ColumnDef::new(ident("reviewed_at")).timestamp_with_time_zone().not_null())
                    .col(ColumnDef::new(ident("active_count_before")).integer().not_null())
                    .col(ColumnDef::new(ident("active_count_after")).integer().not_null())
                    .col(ColumnDef::new(ident("notes")).text().not_null())
                    .col(ColumnDef::new(ident("created_at")).timestamp_with_time_zone().not_null())
                    .col(ColumnDef::new(ident("updated_at")).timestamp_with_time_zone().not_null())
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_medication_reviews_resident_id")
                            .from(ident("medication_reviews"), ident("resident_id"))
                            .to(ident("residents"), ident("id"))
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_medication_reviews_doctor_id")
                            .from(ident("medication_reviews"), ident("doctor_id"))
                            .to(ident("doctors"), ident("id"))
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .to_owned(),
            )
            .await?;
        create_index(manager, "medication_reviews", &["resident_id", "reviewed_at"], false).await?;
        manager
            .create_table(
                Table::create()
                    .table(ident("time_entries"))
                    .col(ColumnDef::new(ident("id")).uuid().not_null().primary_key())
                    .col(ColumnDef::new(ident("doctor_id")).uuid().not_null())
                    .col(ColumnDef::new(ident("care_centre_id")).uuid().not_null())
                    .col(ColumnDef::new(ident("kind")).string().not_null())
                    .col(ColumnDef::new(ident("work_date")).date().not_null())
                    .col(ColumnDef::new(ident("minutes")).integer().not_null())
                    .col(ColumnDef::new(ident("meeting_id")).uuid().null())
                    .col(ColumnDef::new(ident("note")).text().null())
                    .col(ColumnDef::new(ident("created_at")).timestamp_with_time_zone().not_null())
                    .col(ColumnDef::new(ident("updated_at")).timestamp_with_time_zone().not_null())
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_time_entries_doctor_id")
                            .from(ident("time_entries"), ident("doctor_id"))
                            .to(ident("doctors"), ident("id"))
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_time_entries_care_centre_id")
                            .from(ident("time_entries"), ident("care_centre_id"))
                            .to(ident("care_centres"), ident("id"))
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_time_entries_meeting_id")
                            .from(ident("time_entries"), ident("meeting_id"))
                            .to(ident("meetings"), ident("id"))
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .to_owned(),
            )
            .await?;
        create_index(manager, "time_entries", &["care_centre_id", "work_date"], false).await?;
        create_index(manager, "time_entries", &["doctor_id", "work_date"], false).await?;
        manager
            .create_table(
                Table::create()
                    .table(ident("relative_links"))
                    .col(ColumnDef::new(ident("id")).uuid().not_null().primary_key())
                    .col(ColumnDef::new(ident("relative_user_id")).uuid().not_null())
                    .col(ColumnDef::new(ident("resident_id")).uuid().not_null())
                    .col(ColumnDef::new(ident("relation")).text().not_null())
                    .col(ColumnDef::new(ident("consent_recorded_at")).timestamp_with_time_zone().not_null())
                    .col(ColumnDef::new(ident("consent_expires_at")).timestamp_with_time_zone().not_null())
                    .col(ColumnDef::new(ident("revoked_at")).timestamp_with_time_zone().null())
                    .col(ColumnDef::new(ident("created_at")).timestamp_with_time_zone().not_null())
                    .col(ColumnDef::new(ident("updated_at")).timestamp_with_time_zone().not_null())
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_relative_links_relative_user_id")
                            .from(ident("relative_links"), ident("relative_user_id"))
                            .to(ident("users"), ident("id"))
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_relative_links_resident_id")
                            .from(ident("relative_links"), ident("resident_id"))
                            .to(ident("residents"), ident("id"))
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .to_owned(),
            )
            .await?;
        create_index(manager, "relative_links", &["relative_user_id", "resident_id"], true).await?;
        create_index(manager, "relative_links", &["resident_id"], false).await?;
        manager
            .create_table(
                Table::create()
                    .table(ident("audit_events"))
                    .col(ColumnDef::new(ident("id")).uuid().not_null().primary_key())
                    .col(ColumnDef::new(ident("seq")).big_integer().not_null().unique_key())
                    .col(ColumnDef::new(ident("at")).timestamp_with_time_zone().not_null())
                    .col(ColumnDef::new(ident("actor_id")).uuid().null())
                    .col(ColumnDef::new(ident("actor_role")).text().not_null())
                    .col(ColumnDef::new(ident("action")).text().not_null())
                    .col(ColumnDef::new(ident("resident_id")).uuid().null())
                    .col(ColumnDef::new(ident("operation_name")).text().null())
                    .col(ColumnDef::new(ident("request_id")).text().not_null())
                    .col(ColumnDef::new(ident("outcome")).text().not_null())
                    .col(ColumnDef::new(ident("prev_hash")).text().not_null())
                    .col(ColumnDef::new(ident("hash")).text().not_null())
                    .col(ColumnDef::new(ident("created_at")).timestamp_with_time_zone().not_null())
                    .col(ColumnDef::new(ident("updated_at")).timestamp_with_time_zone().not_null())
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_audit_events_actor_id")
                            .from(ident("audit_events"), ident("actor_id"))
                            .to(ident("users"), ident("id"))
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_audit_events_resident_id")
                            .from(ident("audit_events"), ident("resident_id"))
                            .to(ident("residents"), ident("id"))
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .to_owned(),
            )
            .await?;
        create_index(manager, "audit_events", &["resident_id", "at"], false).await?;
        manager
            .create_table(
                Table::create()
                    .table(ident("refresh_tokens"))
                    .col(ColumnDef::new(ident("id")).uuid().not_null().primary_key())
                    .col(ColumnDef::new(ident("user_id")).uuid().not_null())
                    .col(ColumnDef::new(ident("family_id")).uuid().not_null())
                    .col(ColumnDef::new(ident("token_hash")).text().not_null().unique_key())
                    .col(ColumnDef::new(ident("expires_at")).timestamp_with_time_zone().not_null())
                    .col(ColumnDef::new(ident("rotated_at")).timestamp_with_time_zone().null())
                    .col(ColumnDef::new(ident("replaced_by_id")).uuid().null())
                    .col(ColumnDef::new(ident("revoked_at")).timestamp_with_time_zone().null())
                    .col(ColumnDef::new(ident("created_at")).timestamp_with_time_zone().not_null())
                    .col(ColumnDef::new(ident("updated_at")).timestamp_with_time_zone().not_null())
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_refresh_tokens_user_id")
                            .from(ident("refresh_tokens"), ident("user_id"))
                            .to(ident("users"), ident("id"))
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .to_owned(),
            )
            .await?;
        create_index(manager, "refresh_tokens", &["family_id"], false).await?;
        manager
            .create_table(
                Table::create()
                    .table(ident("idempotency_keys"))
                    .col(ColumnDef::new(ident("id")).uuid().not_null().primary_key())
                    .col(ColumnDef::new(ident("user_id")).uuid().not_null())
                    .col(ColumnDef::new(ident("key")).uuid().not_null())
                    .col(ColumnDef::new(ident("operation")).text().not_null())
                    .col(ColumnDef::new(ident("payload_hash")).text().not_null())
                    .col(ColumnDef::new(ident("response")).json_binary().not_null())
                    .col(ColumnDef::new(ident("created_at")).timestamp_with_time_zone().not_null())
                    .col(ColumnDef::new(ident("updated_at")).timestamp_with_time_zone().not_null())
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_idempotency_keys_user_id")
                            .from(ident("idempotency_keys"), ident("user_id"))
                            .to(ident("users"), ident("id"))
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .to_owned(),
            )
            .await?;
        create_index(manager, "idempotency_keys", &["user_id", "operation", "key"], true).await?;
        manager
            .create_table(
                Table::create()
                    .table(ident("invites"))
                    .col(ColumnDef::new(ident("id")).uuid().not_null().primary_key())
                    .col(ColumnDef::new(ident("code_hash")).text().not_null().unique_key())
                    .col(ColumnDef::new(ident("resident_id")).uuid().not_null())
                    .col(ColumnDef::new(ident("relation")).text().not_null())
                    .col(ColumnDef::new(ident("email")).text().not_null())
                    .col(ColumnDef::new(ident("invited_by")).uuid().not_null())
                    .col(ColumnDef::new(ident("expires_at")).timestamp_with_time_zone().not_null())
                    .col(ColumnDef::new(ident("accepted_at")).timestamp_with_time_zone().null())
                    .col(ColumnDef::new(ident("accepted_user_id")).uuid().null())
                    .col(ColumnDef::new(ident("created_at")).timestamp_with_time_zone().not_null())
                    .col(ColumnDef::new(ident("updated_at")).timestamp_with_time_zone().not_null())
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_invites_resident_id")
                            .from(ident("invites"), ident("resident_id"))
                            .to(ident("residents"), ident("id"))
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_invites_invited_by")
                            .from(ident("invites"), ident("invited_by"))
                            .to(ident("users"), ident("id"))
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_invites_accepted_user_id")
                            .from(ident("invites"), ident("accepted_user_id"))
                            .to(ident("users"), ident("id"))
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in TABLES.iter().rev() {
            manager.drop_table(Table::drop().table(ident(table)).to_owned()).await?;
        }
        Ok(())
    }
}

async fn create_index(manager: &SchemaManager<'_>, table: &str, columns: &[&str], unique: bool) -> Result<(), DbErr> {
    let mut index = Index::create();
    index.name(format!("{}_{}_{}", if unique { "uq" } else { "ix" }, table, columns.join("_"))).table(ident(table));
    for column in columns {
        index.col(ident(column));
    }
    if unique {
        index.unique();
    }
    manager.create_index(index.to_owned()).await
}
