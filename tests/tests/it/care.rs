//! Collaboration agreements, care plans and medication, rule by rule: who may write (FORBIDDEN by
//! role, NOT_FOUND out of scope), versions, supersession, and that a refused write stores nothing.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Duration, Months, NaiveDate, Utc};
use entities::enums::{AgreementStatus, CarePlanStatus};
use entities::{
    care_plan, care_plan_acknowledgement, collaboration_agreement as agreement, medication, medication_review,
};
use plejelink_tests::{TestApp, backends, error_code};
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use serde_json::{Value, json};
use uuid::Uuid;

const COORD_S: &str = "koordinator.solhaven@demo.dk";
const COORD_L: &str = "koordinator.lindegaarden@demo.dk";
const NURSE_S: &str = "sygeplejerske.solhaven@demo.dk";
const HANSEN: &str = "laege.hansen@demo.dk";
const BERG: &str = "laege.berg@demo.dk";
const RELATIVE: &str = "paaroerende@demo.dk";
const OTHER_RELATIVE: &str = "paaroerende2@demo.dk";
const ADMIN: &str = "admin@demo.dk";

fn uuid_of(id: &Value) -> Uuid {
    let text = String::from_utf8(URL_SAFE_NO_PAD.decode(id.as_str().expect("id")).expect("base64")).expect("utf-8");
    text.rsplit_once(':').expect("Type:uuid").1.parse().expect("uuid")
}

fn field(body: &Value) -> Option<&str> {
    body["errors"][0]["extensions"]["field"].as_str()
}

struct Demo {
    solhaven: Value,
    lindegaarden: Value,
    hansen: Value,
    berg: Value,
}

async fn demo(app: &TestApp) -> Demo {
    let admin = app.login(ADMIN).await;
    let data = app.data(&admin, "{ careCentres { id name doctors { id displayName } } }", json!({})).await;
    let centres = data["careCentres"].as_array().expect("centres");
    let centre = |name: &str| centres.iter().find(|c| c["name"] == name).expect(name)["id"].clone();
    let doctor = |name: &str| {
        centres
            .iter()
            .flat_map(|c| c["doctors"].as_array().expect("doctors").clone())
            .find(|d| d["displayName"] == name)
            .expect(name)["id"]
            .clone()
    };
    Demo {
        solhaven: centre("Plejecenter Solhaven"),
        lindegaarden: centre("Plejecenter Lindegården"),
        hansen: doctor("Peter Hansen"),
        berg: doctor("Lise Berg"),
    }
}

/// A Lindegården resident whose GP is Berg (Hansen sees the roster there, but is not the GP).
async fn bergs_resident(app: &TestApp, berg: &str, demo: &Demo) -> Value {
    let data = app
        .data(
            berg,
            "query($c: ID!) { residents(careCentreId: $c, myGpResidents: true, first: 1) { edges { node { id } } } }",
            json!({ "c": demo.lindegaarden }),
        )
        .await;
    data["residents"]["edges"][0]["node"]["id"].clone()
}

// ---------------------------------------------------------------------------------------------
// Collaboration agreements

const PROPOSE: &str = "mutation($i: AgreementInput!) { proposeAgreement(input: $i) { id status revision meetingCadence agendaDeadlineHours routineAnswerWorkingDays urgentAnswerHours requiredVitals vitalsMaxAgeHours relativesContactedBy moveInCoordinatedBy resuscitationDocumentedBy coordinatorAcceptedAt doctorAcceptedAt agreedAt doctor { displayName } } }";
const ACCEPT: &str = "mutation($a: ID!) { acceptAgreement(agreementId: $a) { id status agreedAt coordinatorAcceptedAt doctorAcceptedAt } }";

async fn agreement_row(app: &TestApp, id: Uuid) -> agreement::Model {
    agreement::Entity::find_by_id(id).one(&app.db).await.expect("query").expect("agreement")
}

/// The AGREED agreement of a centre and doctor, straight from the database.
async fn in_force(app: &TestApp, centre: &Value, doctor: &Value) -> Vec<agreement::Model> {
    agreement::Entity::find()
        .filter(agreement::Column::CareCentreId.eq(uuid_of(centre)))
        .filter(agreement::Column::DoctorId.eq(uuid_of(doctor)))
        .filter(agreement::Column::Status.eq(AgreementStatus::Agreed))
        .all(&app.db)
        .await
        .expect("query")
}

async fn agreements_defaults_roles_revisions_and_supersession(app: TestApp) {
    let demo = demo(&app).await;
    let hansen = app.login(HANSEN).await;
    let coordinator = app.login(COORD_S).await;
    let old = in_force(&app, &demo.solhaven, &demo.hansen).await;
    assert_eq!(old.len(), 1, "the demo agreement is in force");
    let elsewhere = in_force(&app, &demo.lindegaarden, &demo.hansen).await;

    // The doctor proposes with the defaults of DESIGN §3; their own side counts as accepted.
    let only_centre = json!({ "i": { "careCentreId": demo.solhaven } });
    let proposed = app.data(&hansen, PROPOSE, only_centre.clone()).await["proposeAgreement"].clone();
    assert_eq!(proposed["status"], "PROPOSED");
    assert_eq!(proposed["revision"], 2);
    assert_eq!(proposed["doctor"]["displayName"], "Peter Hansen");
    assert_eq!(proposed["meetingCadence"], "WEEKLY");
    assert_eq!(
        [&proposed["agendaDeadlineHours"], &proposed["routineAnswerWorkingDays"], &proposed["urgentAnswerHours"]],
        [&json!(48), &json!(2), &json!(4)]
    );
    assert_eq!(proposed["vitalsMaxAgeHours"], 4);
    let vitals: Vec<&str> =
        proposed["requiredVitals"].as_array().expect("vitals").iter().filter_map(Value::as_str).collect();
    for vital in ["RESPIRATION_RATE", "OXYGEN_SATURATION", "BLOOD_PRESSURE", "PULSE", "CONSCIOUSNESS", "TEMPERATURE"] {
        assert!(vitals.contains(&vital), "{vital} required by default");
    }
    assert_eq!(vitals.len(), 6);
    assert!(proposed["doctorAcceptedAt"].is_string() && proposed["coordinatorAcceptedAt"].is_null());
    assert!(proposed["agreedAt"].is_null());
    let third = app
        .data(
            &hansen,
            PROPOSE,
            json!({ "i": { "careCentreId": demo.solhaven, "requiredVitals": ["PULSE", "PULSE"], "urgentAnswerHours": 2 } }),
        )
        .await["proposeAgreement"]
        .clone();
    assert_eq!(third["revision"], 3, "revision = max + 1 for the centre and doctor");
    assert_eq!(third["requiredVitals"], json!(["PULSE"]), "each vital once");

    let count = || agreement::Entity::find().count(&app.db);
    let stored = count().await.expect("count");
    let refusals = [
        (&hansen, json!({ "careCentreId": demo.solhaven, "doctorId": demo.berg }), "VALIDATION", Some("doctorId")),
        (&coordinator, json!({ "careCentreId": demo.solhaven, "doctorId": demo.berg }), "VALIDATION", Some("doctorId")),
        (&coordinator, json!({ "careCentreId": demo.solhaven }), "VALIDATION", Some("doctorId")),
        (
            &hansen,
            json!({ "careCentreId": demo.solhaven, "agendaDeadlineHours": 337 }),
            "VALIDATION",
            Some("agendaDeadlineHours"),
        ),
        (
            &hansen,
            json!({ "careCentreId": demo.solhaven, "routineAnswerWorkingDays": 0 }),
            "VALIDATION",
            Some("routineAnswerWorkingDays"),
        ),
        (
            &hansen,
            json!({ "careCentreId": demo.solhaven, "urgentAnswerHours": 49 }),
            "VALIDATION",
            Some("urgentAnswerHours"),
        ),
        (
            &hansen,
            json!({ "careCentreId": demo.solhaven, "vitalsMaxAgeHours": 0 }),
            "VALIDATION",
            Some("vitalsMaxAgeHours"),
        ),
        (
            &hansen,
            json!({ "careCentreId": demo.solhaven, "fastResponseWindows": [{ "weekday": 8, "from": "08:00", "to": "09:00", "channel": "PHONE" }] }),
            "VALIDATION",
            Some("fastResponseWindows"),
        ),
        (
            &hansen,
            json!({ "careCentreId": demo.solhaven, "fastResponseWindows": [{ "weekday": 1, "from": "09:00", "to": "08:00", "channel": "PHONE" }] }),
            "VALIDATION",
            Some("fastResponseWindows"),
        ),
    ];
    for (token, input, code, expected) in refusals {
        let body = app.gql(Some(token), PROPOSE, json!({ "i": input })).await;
        assert_eq!((error_code(&body), field(&body)), (Some(code), expected), "{input}: {body:#}");
    }
    for (email, code) in [
        (NURSE_S, "FORBIDDEN"),
        (RELATIVE, "FORBIDDEN"),
        (ADMIN, "FORBIDDEN"),
        (COORD_L, "NOT_FOUND"),
        (BERG, "NOT_FOUND"),
    ] {
        let token = app.login(email).await;
        let input = json!({ "i": { "careCentreId": demo.solhaven, "doctorId": demo.hansen } });
        assert_eq!(error_code(&app.gql(Some(&token), PROPOSE, input).await), Some(code), "{email} proposes");
        let accept = app.gql(Some(&token), ACCEPT, json!({ "a": proposed["id"] })).await;
        assert_eq!(error_code(&accept), Some(code), "{email} accepts");
    }
    assert_eq!(count().await.expect("count"), stored, "refused proposals store nothing");
    assert_eq!(agreement_row(&app, uuid_of(&proposed["id"])).await.coordinator_accepted_at, None);

    // The proposing side accepting again is not the other side.
    let again = app.data(&hansen, ACCEPT, json!({ "a": proposed["id"] })).await;
    assert_eq!(again["acceptAgreement"]["status"], "PROPOSED");

    // The coordinator's acceptance makes it AGREED and supersedes the old one, in one write.
    let later = app.now + Duration::hours(2);
    app.clock.set(later);
    let agreed = app.data(&coordinator, ACCEPT, json!({ "a": proposed["id"] })).await["acceptAgreement"].clone();
    assert_eq!(agreed["status"], "AGREED");
    assert!(agreed["agreedAt"].is_string() && agreed["coordinatorAcceptedAt"].is_string());
    let superseded = agreement_row(&app, old[0].id).await;
    assert_eq!(superseded.status, AgreementStatus::Superseded);
    assert_eq!((superseded.version, superseded.updated_at), (old[0].version + 1, later), "version and time bumped");
    let now_in_force = in_force(&app, &demo.solhaven, &demo.hansen).await;
    assert_eq!(now_in_force.iter().map(|a| a.id).collect::<Vec<_>>(), vec![uuid_of(&proposed["id"])]);
    assert_eq!(agreement_row(&app, uuid_of(&third["id"])).await.status, AgreementStatus::Proposed, "untouched");
    assert_eq!(in_force(&app, &demo.lindegaarden, &demo.hansen).await, elsewhere, "other centres keep theirs");
    let shown = app
        .data(&coordinator, "query($c: ID!) { careCentre(id: $c) { agreement { id } } }", json!({ "c": demo.solhaven }))
        .await;
    assert_eq!(shown["careCentre"]["agreement"]["id"], proposed["id"]);
    let twice = app.gql(Some(&hansen), ACCEPT, json!({ "a": proposed["id"] })).await;
    assert_eq!((error_code(&twice), field(&twice)), (Some("VALIDATION"), Some("agreementId")));

    // A coordinator's proposal waits for the doctor, then replaces the agreement in force.
    let by_coordinator = app
        .data(&coordinator, PROPOSE, json!({ "i": { "careCentreId": demo.solhaven, "doctorId": demo.hansen } }))
        .await["proposeAgreement"]
        .clone();
    assert_eq!(by_coordinator["revision"], 4);
    assert!(by_coordinator["coordinatorAcceptedAt"].is_string() && by_coordinator["doctorAcceptedAt"].is_null());
    let agreed = app.data(&hansen, ACCEPT, json!({ "a": by_coordinator["id"] })).await;
    assert_eq!(agreed["acceptAgreement"]["status"], "AGREED");
    assert_eq!(agreement_row(&app, uuid_of(&proposed["id"])).await.status, AgreementStatus::Superseded);
    assert_eq!(in_force(&app, &demo.solhaven, &demo.hansen).await.len(), 1, "one agreement in force");
}

// ---------------------------------------------------------------------------------------------
// Care plans

const DRAFT: &str = "mutation($i: SaveCarePlanDraftInput!) { saveCarePlanDraft(input: $i) { id revision status version goals sections { heading text } } }";
const AGREE: &str = "mutation($i: AgreeCarePlanInput!) { agreeCarePlan(input: $i) { id revision status version agreedWith agreedAt sharedWithRelatives } }";
const ACK: &str = "mutation($p: ID!) { acknowledgeCarePlan(carePlanId: $p) { id acknowledgedByMe } }";
const RELATIVE_VIEW: &str =
    "query($id: ID!) { resident(id: $id) { carePlan { id revision acknowledgedByMe } carePlans { id status } } }";

async fn relatives_resident(app: &TestApp, relative: &str) -> Value {
    app.data(relative, "{ me { residents { id } } }", json!({})).await["me"]["residents"][0]["id"].clone()
}

fn draft(resident: &Value, goals: &str) -> Value {
    json!({ "i": { "residentId": resident, "goals": goals, "sections": [{ "heading": "Søvn", "text": "Lys slukkes kl. 22." }] } })
}

async fn plans_of(app: &TestApp, resident: &Value) -> Vec<care_plan::Model> {
    care_plan::Entity::find()
        .filter(care_plan::Column::ResidentId.eq(uuid_of(resident)))
        .all(&app.db)
        .await
        .expect("query")
}

async fn plan_row(app: &TestApp, id: &Value) -> care_plan::Model {
    care_plan::Entity::find_by_id(uuid_of(id)).one(&app.db).await.expect("query").expect("plan")
}

async fn care_plan_drafts_agreement_and_scope(app: TestApp) {
    let demo = demo(&app).await;
    let relative = app.login(RELATIVE).await;
    let nurse = app.login(NURSE_S).await;
    let coordinator = app.login(COORD_S).await;
    let hansen = app.login(HANSEN).await;
    let berg = app.login(BERG).await;
    let resident = relatives_resident(&app, &relative).await;
    let bergs = bergs_resident(&app, &berg, &demo).await;
    let (mine, theirs) = (plans_of(&app, &resident).await, plans_of(&app, &bergs).await);
    let in_force = mine.iter().find(|p| p.status == CarePlanStatus::Agreed).expect("agreed plan").clone();

    // Who may draft.
    for (email, target, code) in [
        (RELATIVE, &resident, "FORBIDDEN"),
        (RELATIVE, &bergs, "FORBIDDEN"), // a role that never drafts: FORBIDDEN before any lookup
        (ADMIN, &resident, "FORBIDDEN"),
        (COORD_L, &resident, "NOT_FOUND"),
        (BERG, &resident, "NOT_FOUND"),
        (HANSEN, &bergs, "FORBIDDEN"), // sees the roster, is not the GP
    ] {
        let token = app.login(email).await;
        assert_eq!(error_code(&app.gql(Some(&token), DRAFT, draft(target, "x")).await), Some(code), "{email}");
    }
    let empty = app.gql(Some(&nurse), DRAFT, draft(&resident, " ")).await;
    assert_eq!(field(&empty), Some("goals"));
    assert_eq!((plans_of(&app, &resident).await, plans_of(&app, &bergs).await), (mine.clone(), theirs));

    // The GP contributes a draft: the next revision. A nurse starts another.
    let gp_draft = app.data(&hansen, DRAFT, draft(&resident, "Smertefrihed")).await["saveCarePlanDraft"].clone();
    assert_eq!(gp_draft["revision"], in_force.revision + 1);
    assert_eq!((gp_draft["status"].clone(), gp_draft["version"].clone()), (json!("DRAFT"), json!(1)));
    let nurse_draft = app.data(&nurse, DRAFT, draft(&resident, "Tryghed")).await["saveCarePlanDraft"].clone();
    assert_eq!(nurse_draft["revision"], in_force.revision + 2);

    // Editing needs the version; a stale one is CONFLICT; a good one bumps version and time.
    let mut edit = draft(&resident, "Smertefrihed og søvn");
    edit["i"]["carePlanId"] = gp_draft["id"].clone();
    let missing = app.gql(Some(&nurse), DRAFT, edit.clone()).await;
    assert_eq!(field(&missing), Some("expectedVersion"));
    edit["i"]["expectedVersion"] = json!(1);
    let later = app.now + Duration::minutes(10);
    app.clock.set(later);
    let edited = app.data(&nurse, DRAFT, edit.clone()).await["saveCarePlanDraft"].clone();
    assert_eq!((edited["version"].clone(), edited["revision"].clone()), (json!(2), gp_draft["revision"].clone()));
    assert_eq!(edited["goals"], "Smertefrihed og søvn");
    assert_eq!(plan_row(&app, &gp_draft["id"]).await.updated_at, later);
    assert_eq!(error_code(&app.gql(Some(&hansen), DRAFT, edit).await), Some("CONFLICT"));
    assert_eq!(plan_row(&app, &gp_draft["id"]).await.goals, "Smertefrihed og søvn", "the stale edit changed nothing");

    // Who may agree; refusals leave the plans as they were.
    let agree = |version: i64, shared: bool| json!({ "i": { "carePlanId": gp_draft["id"], "expectedVersion": version, "agreedWith": "Beboeren og datteren Susanne", "sharedWithRelatives": shared } });
    for (token, code) in [(&nurse, "FORBIDDEN"), (&hansen, "FORBIDDEN"), (&relative, "FORBIDDEN")] {
        assert_eq!(error_code(&app.gql(Some(token), AGREE, agree(2, false)).await), Some(code));
    }
    let other = app.login(COORD_L).await;
    assert_eq!(error_code(&app.gql(Some(&other), AGREE, agree(2, false)).await), Some("NOT_FOUND"));
    assert_eq!(error_code(&app.gql(Some(&coordinator), AGREE, agree(1, false)).await), Some("CONFLICT"));
    let mut nobody = agree(2, false);
    nobody["i"]["agreedWith"] = json!("");
    assert_eq!(field(&app.gql(Some(&coordinator), AGREE, nobody).await), Some("agreedWith"));
    assert_eq!(plan_row(&app, &gp_draft["id"]).await.status, CarePlanStatus::Draft);
    assert_eq!(plans_of(&app, &resident).await.iter().find(|p| p.id == in_force.id), Some(&in_force));

    // Agreed (not shared): the version before is SUPERSEDED in the same write.
    let agreed_at = later + Duration::minutes(1);
    app.clock.set(agreed_at);
    let agreed = app.data(&coordinator, AGREE, agree(2, false)).await["agreeCarePlan"].clone();
    assert_eq!((agreed["status"].clone(), agreed["version"].clone()), (json!("AGREED"), json!(3)));
    assert_eq!(agreed["agreedWith"], "Beboeren og datteren Susanne");
    let old = plan_row(&app, &global_id(&in_force)).await;
    assert_eq!(old.status, CarePlanStatus::Superseded);
    assert_eq!((old.version, old.updated_at), (in_force.version + 1, agreed_at));
    let agreed_rows = plans_of(&app, &resident).await;
    assert_eq!(agreed_rows.iter().filter(|p| p.status == CarePlanStatus::Agreed).count(), 1);
    // Agreed plans are not agreed again nor edited; the nurse's draft is untouched.
    let again = app.gql(Some(&coordinator), AGREE, agree(3, false)).await;
    assert_eq!(field(&again), Some("carePlanId"));
    let mut reedit = draft(&resident, "y");
    reedit["i"]["carePlanId"] = agreed["id"].clone();
    reedit["i"]["expectedVersion"] = json!(3);
    assert_eq!(field(&app.gql(Some(&nurse), DRAFT, reedit).await), Some("carePlanId"));
    assert_eq!(plan_row(&app, &nurse_draft["id"]).await.status, CarePlanStatus::Draft);

    // Not shared: the relative sees no plan in force, only the earlier shared versions, and
    // cannot acknowledge the new one nor a superseded one.
    let view = app.data(&relative, RELATIVE_VIEW, json!({ "id": resident })).await;
    assert!(view["resident"]["carePlan"].is_null(), "{view:#}");
    let seen: Vec<&str> =
        view["resident"]["carePlans"].as_array().expect("plans").iter().filter_map(|p| p["status"].as_str()).collect();
    assert!(!seen.is_empty() && seen.iter().all(|s| *s == "SUPERSEDED"), "{seen:?}");
    for plan in [agreed["id"].clone(), global_id(&in_force)] {
        assert_eq!(error_code(&app.gql(Some(&relative), ACK, json!({ "p": plan })).await), Some("NOT_FOUND"));
    }
    // Agreeing the nurse's draft, shared: it is the plan in force for the relative too.
    let shared = json!({ "i": { "carePlanId": nurse_draft["id"], "expectedVersion": 1, "agreedWith": "Beboeren", "sharedWithRelatives": true } });
    app.data(&coordinator, AGREE, shared).await;
    assert_eq!(plan_row(&app, &agreed["id"]).await.status, CarePlanStatus::Superseded);
    let view = app.data(&relative, RELATIVE_VIEW, json!({ "id": resident })).await;
    assert_eq!(view["resident"]["carePlan"]["id"], nurse_draft["id"]);
}

/// The global id of a stored plan.
fn global_id(plan: &care_plan::Model) -> Value {
    json!(URL_SAFE_NO_PAD.encode(format!("CarePlan:{}", plan.id)))
}

async fn acknowledgement_once_per_relative_and_visible_to_staff(app: TestApp) {
    let relative = app.login(RELATIVE).await;
    let resident = relatives_resident(&app, &relative).await;
    let view = app.data(&relative, RELATIVE_VIEW, json!({ "id": resident })).await;
    let plan = view["resident"]["carePlan"]["id"].clone();
    assert_eq!(view["resident"]["carePlan"]["acknowledgedByMe"], false);
    let acks = || {
        care_plan_acknowledgement::Entity::find()
            .filter(care_plan_acknowledgement::Column::CarePlanId.eq(uuid_of(&plan)))
            .count(&app.db)
    };
    for email in [NURSE_S, COORD_S, HANSEN, ADMIN] {
        let token = app.login(email).await;
        assert_eq!(error_code(&app.gql(Some(&token), ACK, json!({ "p": plan })).await), Some("FORBIDDEN"), "{email}");
    }
    let other = app.login(OTHER_RELATIVE).await;
    assert_eq!(error_code(&app.gql(Some(&other), ACK, json!({ "p": plan })).await), Some("NOT_FOUND"));
    assert_eq!(acks().await.expect("count"), 0, "refusals store nothing");

    let at = app.now + Duration::minutes(3);
    app.clock.set(at);
    let acked = app.data(&relative, ACK, json!({ "p": plan })).await;
    assert_eq!(acked["acknowledgeCarePlan"]["acknowledgedByMe"], true);
    app.clock.set(at + Duration::minutes(1));
    app.data(&relative, ACK, json!({ "p": plan })).await;
    assert_eq!(acks().await.expect("count"), 1, "once per plan and relative");

    const STAFF: &str = "query($id: ID!) { resident(id: $id) { carePlan { id acknowledgedByMe acknowledgements { relative { displayName } acknowledgedAt } } } }";
    for email in [COORD_S, NURSE_S, HANSEN] {
        let token = app.login(email).await;
        let seen = app.data(&token, STAFF, json!({ "id": resident })).await["resident"]["carePlan"].clone();
        assert_eq!(seen["id"], plan);
        assert_eq!(seen["acknowledgedByMe"], false, "{email}");
        let list = seen["acknowledgements"].as_array().expect("acknowledgements").clone();
        assert_eq!(list.len(), 1, "{email}");
        assert_eq!(list[0]["relative"]["displayName"], "Susanne Holm");
        let when = DateTime::parse_from_rfc3339(list[0]["acknowledgedAt"].as_str().expect("time")).expect("rfc3339");
        assert_eq!(when, at, "the first acknowledgement counts");
    }

    // A new agreed version needs a new acknowledgement.
    let coordinator = app.login(COORD_S).await;
    let created = app.data(&coordinator, DRAFT, draft(&resident, "Ny udgave")).await["saveCarePlanDraft"].clone();
    let agree = json!({ "i": { "carePlanId": created["id"], "expectedVersion": 1, "agreedWith": "Beboeren og datteren", "sharedWithRelatives": true } });
    app.data(&coordinator, AGREE, agree).await;
    let view = app.data(&relative, RELATIVE_VIEW, json!({ "id": resident })).await;
    assert_eq!(view["resident"]["carePlan"]["id"], created["id"]);
    assert_eq!(view["resident"]["carePlan"]["acknowledgedByMe"], false);
}

// ---------------------------------------------------------------------------------------------
// Medication

const ADD: &str = "mutation($i: AddMedicationInput!) { addMedication(input: $i) { id name active } }";
const STOP: &str =
    "mutation($m: ID!, $d: Date!) { stopMedication(medicationId: $m, stoppedOn: $d) { id stoppedOn active } }";
const REVIEW: &str = "mutation($i: MedicationReviewInput!) { recordMedicationReview(input: $i) { id activeCountBefore activeCountAfter notes doctor { displayName } } }";
const STATE: &str = "query($id: ID!) { resident(id: $id) { activeMedicationCount polypharmacy medicationReviewDue medications { id } } }";

/// A Solhaven resident of Hansen's with fewer than 6 active medications and no review.
async fn hansens_patient(app: &TestApp, hansen: &str, demo: &Demo) -> Value {
    let data = app
        .data(
            hansen,
            "query($c: ID!) { residents(careCentreId: $c, myGpResidents: true, first: 100) { edges { node { id activeMedicationCount medicationReviews { id } } } } }",
            json!({ "c": demo.solhaven }),
        )
        .await;
    data["residents"]["edges"]
        .as_array()
        .expect("edges")
        .iter()
        .map(|e| e["node"].clone())
        .find(|r| {
            r["activeMedicationCount"].as_i64().is_some_and(|n| n < 5)
                && r["medicationReviews"].as_array().is_some_and(Vec::is_empty)
        })
        .expect("a GP resident with few medications")["id"]
        .clone()
}

/// Sets the clock to noon UTC today, so the date is the same in UTC and Europe/Copenhagen.
fn noon(app: &TestApp) -> DateTime<Utc> {
    let noon = app.now.date_naive().and_hms_opt(12, 0, 0).expect("noon").and_utc();
    app.clock.set(noon);
    noon
}

fn drug(resident: &Value, n: usize, today: NaiveDate) -> Value {
    let started = (today - Duration::days(30)).to_string();
    json!({ "i": { "residentId": resident, "name": format!("Präparat {n}"), "strength": "5 mg", "dosage": "1 x dagligt", "startedOn": started } })
}

/// Adds the next numbered medication; returns its id.
async fn add(app: &TestApp, token: &str, resident: &Value, n: &mut usize, today: NaiveDate) -> Value {
    *n += 1;
    app.data(token, ADD, drug(resident, *n, today)).await["addMedication"]["id"].clone()
}

async fn state(app: &TestApp, token: &str, resident: &Value) -> (i64, String, bool, Vec<Value>) {
    let data = app.data(token, STATE, json!({ "id": resident })).await["resident"].clone();
    (
        data["activeMedicationCount"].as_i64().expect("count"),
        data["polypharmacy"].as_str().expect("level").to_owned(),
        data["medicationReviewDue"].as_bool().expect("due"),
        data["medications"].as_array().expect("medications").iter().map(|m| m["id"].clone()).collect(),
    )
}

async fn reviews_of(app: &TestApp, resident: &Value) -> u64 {
    medication_review::Entity::find()
        .filter(medication_review::Column::ResidentId.eq(uuid_of(resident)))
        .count(&app.db)
        .await
        .expect("count")
}

async fn polypharmacy_levels_follow_adds_and_stops(app: TestApp) {
    let demo = demo(&app).await;
    let hansen = app.login(HANSEN).await;
    let resident = hansens_patient(&app, &hansen, &demo).await;
    let now = noon(&app);
    let day = now.date_naive();
    let today = day.to_string();
    let mut n = 0;
    let (mut count, ..) = state(&app, &hansen, &resident).await;
    while count < 5 {
        add(&app, &hansen, &resident, &mut n, day).await;
        count += 1;
    }
    let (count, level, due, _) = state(&app, &hansen, &resident).await;
    assert_eq!((count, level.as_str(), due), (5, "NONE", false));
    let sixth = add(&app, &hansen, &resident, &mut n, day).await;
    let (count, level, due, _) = state(&app, &hansen, &resident).await;
    assert_eq!((count, level.as_str(), due), (6, "SIX_PLUS", true), "6 is polypharmacy; a review is due");
    // Stopped today: no longer active, back below the threshold.
    let stopped = app.data(&hansen, STOP, json!({ "m": sixth, "d": today })).await;
    assert_eq!(stopped["stopMedication"]["active"], false);
    let (count, level, due, _) = state(&app, &hansen, &resident).await;
    assert_eq!((count, level.as_str(), due), (5, "NONE", false));
    for _ in 5..14 {
        add(&app, &hansen, &resident, &mut n, day).await;
    }
    let (count, level, ..) = state(&app, &hansen, &resident).await;
    assert_eq!((count, level.as_str()), (14, "SIX_PLUS"));
    let fifteenth = add(&app, &hansen, &resident, &mut n, day).await;
    let (count, level, due, _) = state(&app, &hansen, &resident).await;
    assert_eq!((count, level.as_str(), due), (15, "FIFTEEN_PLUS", true));
    // A stop planned for tomorrow leaves it active today.
    let tomorrow = (day + Duration::days(1)).to_string();
    let planned = app.data(&hansen, STOP, json!({ "m": fifteenth, "d": tomorrow })).await;
    assert_eq!(planned["stopMedication"]["active"], true);
    assert_eq!(state(&app, &hansen, &resident).await.1, "FIFTEEN_PLUS");
    let again = app.gql(Some(&hansen), STOP, json!({ "m": fifteenth, "d": today })).await;
    assert_eq!(error_code(&again), Some("CONFLICT"), "already has a stop date");
    // The next day it has stopped: 14, below the upper threshold.
    app.clock.set(now + Duration::days(1));
    let (count, level, ..) = state(&app, &hansen, &resident).await;
    assert_eq!((count, level.as_str()), (14, "SIX_PLUS"));
}

async fn medication_reviews_and_the_gps_writes(app: TestApp) {
    let demo = demo(&app).await;
    let hansen = app.login(HANSEN).await;
    let berg = app.login(BERG).await;
    let resident = hansens_patient(&app, &hansen, &demo).await;
    let bergs = bergs_resident(&app, &berg, &demo).await;
    let now = noon(&app);
    let day = now.date_naive();
    let today = day.to_string();
    let (mut count, ..) = state(&app, &hansen, &resident).await;
    let mut n = 0;
    while count < 8 {
        add(&app, &hansen, &resident, &mut n, day).await;
        count += 1;
    }
    let (_, level, due, medications) = state(&app, &hansen, &resident).await;
    assert_eq!((level.as_str(), due), ("SIX_PLUS", true));
    let bergs_medication =
        app.data(&berg, STATE, json!({ "id": bergs })).await["resident"]["medications"][0]["id"].clone();

    // Who may write medication: the GP only.
    let reviews_before = (reviews_of(&app, &resident).await, reviews_of(&app, &bergs).await);
    let medication_rows = medication::Entity::find().count(&app.db).await.expect("count");
    let review = |resident: &Value| json!({ "i": { "residentId": resident, "notes": "Gennemgået." } });
    for (email, code) in [
        (NURSE_S, "FORBIDDEN"),
        (COORD_S, "FORBIDDEN"),
        (RELATIVE, "FORBIDDEN"),
        (ADMIN, "FORBIDDEN"),
        (BERG, "NOT_FOUND"),
    ] {
        let token = app.login(email).await;
        assert_eq!(error_code(&app.gql(Some(&token), ADD, drug(&resident, 99, day)).await), Some(code), "{email} adds");
        let stop = app.gql(Some(&token), STOP, json!({ "m": medications[0], "d": today })).await;
        assert_eq!(error_code(&stop), Some(code), "{email} stops");
        assert_eq!(error_code(&app.gql(Some(&token), REVIEW, review(&resident)).await), Some(code), "{email} reviews");
    }
    // Hansen sees Berg's resident on the roster but is not the GP.
    assert_eq!(error_code(&app.gql(Some(&hansen), ADD, drug(&bergs, 99, day)).await), Some("FORBIDDEN"));
    let stop = app.gql(Some(&hansen), STOP, json!({ "m": bergs_medication, "d": today })).await;
    assert_eq!(error_code(&stop), Some("FORBIDDEN"));
    assert_eq!(error_code(&app.gql(Some(&hansen), REVIEW, review(&bergs)).await), Some("FORBIDDEN"));
    // Invalid reviews: nothing stopped, nothing stored.
    let stopped_one = medications[1].clone();
    app.data(&hansen, STOP, json!({ "m": stopped_one, "d": today })).await;
    let (count, ..) = state(&app, &hansen, &resident).await;
    for (input, expected) in [
        (
            json!({ "residentId": resident, "notes": "x", "stopMedicationIds": [medications[0], stopped_one] }),
            "stopMedicationIds",
        ),
        (json!({ "residentId": resident, "notes": "x", "stopMedicationIds": [bergs_medication] }), "stopMedicationIds"),
        (json!({ "residentId": resident, "notes": " " }), "notes"),
        (json!({ "residentId": resident, "notes": "x", "activeCountAfter": -1 }), "activeCountAfter"),
    ] {
        let body = app.gql(Some(&hansen), REVIEW, json!({ "i": input })).await;
        assert_eq!((error_code(&body), field(&body)), (Some("VALIDATION"), Some(expected)), "{input}");
    }
    assert_eq!(state(&app, &hansen, &resident).await.0, count, "nothing stopped");
    assert_eq!((reviews_of(&app, &resident).await, reviews_of(&app, &bergs).await), reviews_before);
    assert_eq!(medication::Entity::find().count(&app.db).await.expect("count"), medication_rows);
    assert!(
        medication::Entity::find_by_id(uuid_of(&bergs_medication))
            .one(&app.db)
            .await
            .expect("query")
            .is_some_and(|m| m.stopped_on.is_none() && m.version == 1)
    );

    // A stop bumps version and time.
    let stopped_row =
        medication::Entity::find_by_id(uuid_of(&stopped_one)).one(&app.db).await.expect("q").expect("row");
    assert_eq!((stopped_row.version, stopped_row.updated_at), (2, now));

    // The review with a stated count after: before = active now, after as given; nothing stopped.
    let at = now + Duration::hours(1);
    app.clock.set(at);
    let stated = json!({ "i": { "residentId": resident, "notes": "Seponering af to præparater aftales med FMK.", "activeCountAfter": count - 2 } });
    let recorded = app.data(&hansen, REVIEW, stated).await["recordMedicationReview"].clone();
    assert_eq!(
        (recorded["activeCountBefore"].as_i64(), recorded["activeCountAfter"].as_i64()),
        (Some(count), Some(count - 2))
    );
    assert_eq!(recorded["doctor"]["displayName"], "Peter Hansen");
    let (after, level, due, _) = state(&app, &hansen, &resident).await;
    assert_eq!((after, level.as_str(), due), (count, "SIX_PLUS", false), "reviewed: not due");
    // A year and a month later the review is old: due again.
    let next_year = at.checked_add_months(Months::new(13)).expect("date");
    app.clock.set(next_year);
    assert!(state(&app, &hansen, &resident).await.2, "due again after 12 months");
    // A review that stops medication: after = before minus the stops, which are stopped today.
    let (count, _, _, active) = state(&app, &hansen, &resident).await;
    let stops =
        json!({ "i": { "residentId": resident, "notes": "Seponeret.", "stopMedicationIds": [active[0], active[1]] } });
    let recorded = app.data(&hansen, REVIEW, stops).await["recordMedicationReview"].clone();
    assert_eq!(
        (recorded["activeCountBefore"].as_i64(), recorded["activeCountAfter"].as_i64()),
        (Some(count), Some(count - 2))
    );
    let (after, _, due, _) = state(&app, &hansen, &resident).await;
    assert_eq!((after, due), (count - 2, false));
}

backends!(
    agreements_defaults_roles_revisions_and_supersession,
    care_plan_drafts_agreement_and_scope,
    acknowledgement_once_per_relative_and_visible_to_staff,
    polypharmacy_levels_follow_adds_and_stops,
    medication_reviews_and_the_gps_writes
);
