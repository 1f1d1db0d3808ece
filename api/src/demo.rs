//! A deterministic, invented Danish demo dataset, relative to "now" so there is always an overdue
//! question, a meeting whose agenda deadline is ahead and one whose agenda was sent. The same
//! generator writes large datasets for benchmarks (batched inserts, one transaction).

use crate::domain::deadlines::{agenda_deadline, answer_due_at};
use crate::domain::news2::{News2Input, score};
use crate::domain::terms::Terms;
use chrono::{DateTime, Duration, NaiveDate, Utc};
use entities::enums::*;
use entities::*;
use sea_orm::ActiveValue::Set;
use sea_orm::{ConnectionTrait, DatabaseConnection, DbErr, EntityTrait, IntoActiveModel, PaginatorTrait};
use serde_json::json;
use uuid::Uuid;

pub const DEMO_PASSWORD: &str = "demo-password";

pub const DEMO_LOGINS: &[(&str, &str)] = &[
    ("admin@demo.dk", "ADMIN"),
    ("koordinator.solhaven@demo.dk", "COORDINATOR, Plejecenter Solhaven"),
    ("koordinator.lindegaarden@demo.dk", "COORDINATOR, Plejecenter Lindegården"),
    ("sygeplejerske.solhaven@demo.dk", "NURSE, Plejecenter Solhaven"),
    ("sygeplejerske.lindegaarden@demo.dk", "NURSE, Plejecenter Lindegården"),
    ("laege.hansen@demo.dk", "DOCTOR, both centres"),
    ("laege.berg@demo.dk", "DOCTOR, Plejecenter Lindegården"),
    ("paaroerende@demo.dk", "RELATIVE of a Solhaven resident"),
];

#[derive(Debug, Clone)]
pub struct DemoSize {
    pub centres: u32,
    pub residents_per_centre: u32,
    pub days: u32,
    pub observations_per_day: u32,
}

impl Default for DemoSize {
    fn default() -> Self {
        Self { centres: 2, residents_per_centre: 30, days: 30, observations_per_day: 2 }
    }
}

#[derive(Debug, Default)]
pub struct DemoSummary {
    pub centres: usize,
    pub residents: usize,
    pub observations: usize,
    pub questions: usize,
    pub users: usize,
}

pub async fn has_users(db: &DatabaseConnection) -> Result<bool, DbErr> {
    Ok(user::Entity::find().count(db).await? > 0)
}

/// splitmix64: small, fast and the same everywhere, so the dataset is reproducible.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
    fn range(&mut self, lo: i32, hi: i32) -> i32 {
        lo + self.below((hi - lo + 1) as u64) as i32
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }
    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }
    /// A UUIDv7 whose time part is `at` and whose random part comes from this generator.
    fn id(&mut self, at: DateTime<Utc>) -> Uuid {
        let bytes = [self.next().to_le_bytes(), self.next().to_le_bytes()].concat();
        let mut random = [0u8; 10];
        random.copy_from_slice(&bytes[..10]);
        uuid::Builder::from_unix_timestamp_millis(at.timestamp_millis().max(0) as u64, &random).into_uuid()
    }
}

const FIRST_NAMES: &[&str] = &[
    "Inger", "Kirsten", "Karen", "Birthe", "Grethe", "Else", "Ruth", "Edith", "Ellen", "Jytte", "Hanne", "Bent",
    "Poul", "Jørgen", "Erik", "Knud", "Henning", "Svend", "Arne", "Aase", "Gudrun", "Vagn", "Ejnar", "Ingrid",
];
const LAST_NAMES: &[&str] = &[
    "Jensen",
    "Nielsen",
    "Hansen",
    "Pedersen",
    "Andersen",
    "Christensen",
    "Larsen",
    "Sørensen",
    "Rasmussen",
    "Jørgensen",
    "Petersen",
    "Madsen",
    "Kristensen",
    "Olsen",
    "Thomsen",
    "Poulsen",
    "Johansen",
    "Møller",
    "Mortensen",
];
const EXTRA_CENTRES: &[(&str, &str)] = &[
    ("Plejecenter Egebakken", "Vejle"),
    ("Plejecenter Bøgely", "Aalborg"),
    ("Plejecenter Kastaniehaven", "Esbjerg"),
    ("Plejecenter Strandlyst", "Horsens"),
    ("Plejecenter Rosenhaven", "Randers"),
    ("Plejecenter Skovbrynet", "Kolding"),
    ("Plejecenter Engparken", "Silkeborg"),
    ("Plejecenter Fjordglimt", "Roskilde"),
];
/// (name, strength, dosage, indication)
const DRUGS: &[(&str, &str, &str, &str)] = &[
    ("Paracetamol", "500 mg", "2 tabletter 3 gange dagligt", "Smerter"),
    ("Furosemid", "40 mg", "1 tablet morgen", "Hjertesvigt"),
    ("Metoprolol", "50 mg", "1 tablet morgen", "Forhøjet blodtryk"),
    ("Apixaban", "5 mg", "1 tablet 2 gange dagligt", "Atrieflimren"),
    ("Simvastatin", "40 mg", "1 tablet aften", "Forhøjet kolesterol"),
    ("Sertralin", "50 mg", "1 tablet morgen", "Depression"),
    ("Movicol", "13,8 g", "1 brev dagligt", "Forstoppelse"),
    ("Metformin", "500 mg", "1 tablet 2 gange dagligt", "Type 2-diabetes"),
    ("Amlodipin", "5 mg", "1 tablet morgen", "Forhøjet blodtryk"),
    ("Pantoprazol", "40 mg", "1 tablet morgen", "Mavesår, forebyggende"),
    ("Alendronat", "70 mg", "1 tablet ugentligt", "Knogleskørhed"),
    ("Calcium + D-vitamin", "500 mg/10 µg", "1 tablet 2 gange dagligt", "Knogleskørhed"),
    ("Levothyroxin", "50 µg", "1 tablet morgen", "Lavt stofskifte"),
    ("Donepezil", "10 mg", "1 tablet aften", "Demens"),
    ("Mirtazapin", "15 mg", "1 tablet aften", "Søvnbesvær"),
    ("Tramadol", "50 mg", "1 tablet ved behov, max 4 dagligt", "Smerter"),
    ("Oxycodon", "5 mg", "1 tablet ved behov", "Gennembrudssmerter"),
    ("Lactulose", "667 mg/ml", "15 ml ved behov", "Forstoppelse"),
    ("Spironolacton", "25 mg", "1 tablet morgen", "Hjertesvigt"),
    ("Ramipril", "5 mg", "1 tablet morgen", "Forhøjet blodtryk"),
];
const QUESTIONS: &[(&str, &str)] = &[
    (
        "Urinvejsinfektion?",
        "Beboeren er mere forvirret end vanligt og har hyppig vandladning. Urinstix positiv for nitrit og leukocytter. Ønskes urindyrkning?",
    ),
    (
        "Faldende blodtryk",
        "Systolisk blodtryk omkring 100 de seneste tre dage. Skal dosis af blodtryksmedicin justeres?",
    ),
    (
        "Smertebehandling",
        "Beboeren giver udtryk for smerter ved forflytning trods fast paracetamol. Kan der ordineres PN-smertestillende?",
    ),
    ("Vægttab", "Vægttab på 3 kg over en måned. Kostregistrering er igangsat. Ønsker lægen blodprøver?"),
    ("Sår på hælen", "Tryksår kategori 2 på venstre hæl. Vi aflaster og lægger skumbandage. Skal der podes?"),
    ("Fornyelse af recept", "Movicol er ved at slippe op på FMK. Kan den fornyes?"),
];
const CARE_PLAN_SECTIONS: &[(&str, &str)] = &[
    ("Ernæring", "Energitæt kost og mellemmåltider. Vejes hver 14. dag."),
    ("Mobilitet", "Går med rollator med støtte fra én. Faldrisiko: hoftebeskyttere om dagen."),
    ("Personlig pleje", "Hjælp til bad to gange ugentligt. Kan selv børste tænder med guidning."),
    ("Trivsel og sociale relationer", "Holder af at høre radio og af besøg af datteren om søndagen."),
];

struct Ctx {
    rng: Rng,
    now: DateTime<Utc>,
    today: NaiveDate,
    summary: DemoSummary,
}

struct Centre {
    id: Uuid,
    nurses: Vec<Uuid>,
    coordinator: Uuid,
    doctors: Vec<Uuid>,
    doctor_names: Vec<String>,
}

struct ResidentInfo {
    id: Uuid,
    centre: usize,
    gp: Option<Uuid>,
    scale: Spo2Scale,
    sick: bool,
}

/// Loads the dataset into an empty, migrated database. `password_hash` is the hash of
/// [`DEMO_PASSWORD`], made once and shared by every demo login.
pub async fn load(
    db: &DatabaseConnection,
    size: &DemoSize,
    now: DateTime<Utc>,
    password_hash: &str,
) -> Result<DemoSummary, DbErr> {
    if has_users(db).await? {
        return Err(DbErr::Custom("the demo needs an empty database".into()));
    }
    let txn = crate::db::begin_write(db).await?;
    let mut ctx = Ctx {
        rng: Rng(0x504c_454a_454c_494e),
        now,
        today: crate::clock::copenhagen_date(now),
        summary: DemoSummary::default(),
    };
    insert_user(&*txn, &mut ctx, "admin@demo.dk", "Anne Admin", Role::Admin, password_hash).await?;
    let centres = insert_centres(&*txn, &mut ctx, size, password_hash).await?;
    let residents = insert_residents(&*txn, &mut ctx, size, &centres).await?;
    insert_observations(&*txn, &mut ctx, size, &centres, &residents).await?;
    insert_medications(&*txn, &mut ctx, &residents).await?;
    insert_care_plans(&*txn, &mut ctx, &residents, &centres).await?;
    insert_questions(&*txn, &mut ctx, &centres, &residents).await?;
    insert_meetings(&*txn, &mut ctx, &centres, &residents).await?;
    insert_relatives(&*txn, &mut ctx, &residents, password_hash).await?;
    insert_question_history(&*txn, &mut ctx, size, &centres, &residents).await?;
    txn.commit().await?;
    ctx.summary.centres = centres.len();
    ctx.summary.residents = residents.len();
    Ok(ctx.summary)
}

async fn insert_user(
    db: &impl ConnectionTrait,
    ctx: &mut Ctx,
    email: &str,
    name: &str,
    role: Role,
    password_hash: &str,
) -> Result<Uuid, DbErr> {
    let id = ctx.rng.id(ctx.now - Duration::days(400));
    user::Entity::insert(user::ActiveModel {
        id: Set(id),
        email: Set(email.to_lowercase()),
        password_hash: Set(password_hash.into()),
        display_name: Set(name.into()),
        role: Set(role),
        locale: Set("da".into()),
        active: Set(true),
        tokens_valid_after: Set(ctx.now - Duration::days(1)),
        version: Set(1),
        created_at: Set(ctx.now - Duration::days(400)),
        updated_at: Set(ctx.now - Duration::days(400)),
    })
    .exec_without_returning(db)
    .await?;
    ctx.summary.users += 1;
    Ok(id)
}

async fn insert_many<A, I>(db: &impl ConnectionTrait, rows: I) -> Result<(), DbErr>
where
    A: sea_orm::ActiveModelTrait,
    I: IntoIterator<Item = A>,
{
    // Well under SQLite's 32766 bound variables for our widest table.
    let rows: Vec<A> = rows.into_iter().collect();
    for chunk in rows.chunks(500) {
        <A::Entity as EntityTrait>::insert_many(chunk.to_vec()).exec_without_returning(db).await?;
    }
    Ok(())
}

fn person(rng: &mut Rng) -> String {
    format!("{} {}", rng.pick(FIRST_NAMES), rng.pick(LAST_NAMES))
}

async fn insert_centres(
    db: &impl ConnectionTrait,
    ctx: &mut Ctx,
    size: &DemoSize,
    password_hash: &str,
) -> Result<Vec<Centre>, DbErr> {
    let created = ctx.now - Duration::days(400);
    let mut doctors: Vec<(Uuid, String)> = Vec::new();
    for (i, (email, name)) in
        [("laege.hansen@demo.dk", "Peter Hansen"), ("laege.berg@demo.dk", "Lise Berg")].into_iter().enumerate()
    {
        let user_id = insert_user(db, ctx, email, name, Role::Doctor, password_hash).await?;
        doctors.push((insert_doctor(db, ctx, user_id, i).await?, name.into()));
    }
    let mut centres = Vec::new();
    for c in 0..size.centres as usize {
        let (name, municipality) = match c {
            0 => ("Plejecenter Solhaven".to_string(), "Aarhus".to_string()),
            1 => ("Plejecenter Lindegården".to_string(), "Odense".to_string()),
            _ => {
                let (n, m) = EXTRA_CENTRES[(c - 2) % EXTRA_CENTRES.len()];
                let round = (c - 2) / EXTRA_CENTRES.len();
                (if round == 0 { n.to_string() } else { format!("{n} {}", round + 1) }, m.to_string())
            }
        };
        let id = ctx.rng.id(created);
        care_centre::Entity::insert(care_centre::ActiveModel {
            id: Set(id),
            name: Set(name.clone()),
            municipality: Set(municipality),
            address: Set(format!("{} {}", ctx.rng.pick(&["Solvej", "Lindevej", "Skovvej", "Parkvej"]), 10 + c)),
            phone: Set(format!("70 20 {:02} {:02}", c % 100, 10 + c % 90)),
            hotline_phone: Set(format!("70 21 {:02} 00", c % 100)),
            weekly_advisory_minutes: Set(if c == 1 { 180 } else { 90 + 30 * (c as i32 % 3) }),
            version: Set(1),
            created_at: Set(created),
            updated_at: Set(created),
        })
        .exec_without_returning(db)
        .await?;
        let slug = match c {
            0 => "solhaven".to_string(),
            1 => "lindegaarden".to_string(),
            _ => format!("centre{}", c + 1),
        };
        let coordinator_name = person(&mut ctx.rng);
        let coordinator = insert_user(
            db,
            ctx,
            &format!("koordinator.{slug}@demo.dk"),
            &coordinator_name,
            Role::Coordinator,
            password_hash,
        )
        .await?;
        let nurse_name = person(&mut ctx.rng);
        let nurse =
            insert_user(db, ctx, &format!("sygeplejerske.{slug}@demo.dk"), &nurse_name, Role::Nurse, password_hash)
                .await?;
        let second_name = person(&mut ctx.rng);
        let second =
            insert_user(db, ctx, &format!("sosu.{slug}@demo.dk"), &second_name, Role::Nurse, password_hash).await?;
        for user in [coordinator, nurse, second] {
            let mid = ctx.rng.id(created);
            staff_membership::Entity::insert(staff_membership::ActiveModel {
                id: Set(mid),
                user_id: Set(user),
                care_centre_id: Set(id),
                ended_at: Set(None),
                created_at: Set(created),
                updated_at: Set(created),
            })
            .exec_without_returning(db)
            .await?;
        }
        let attached: Vec<(Uuid, String)> = match c {
            0 => vec![doctors[0].clone()],
            1 => vec![doctors[0].clone(), doctors[1].clone()],
            _ => {
                let name = format!("{} {}", ctx.rng.pick(FIRST_NAMES), ctx.rng.pick(LAST_NAMES));
                let user_id =
                    insert_user(db, ctx, &format!("laege.{slug}@demo.dk"), &name, Role::Doctor, password_hash).await?;
                vec![(insert_doctor(db, ctx, user_id, c).await?, name)]
            }
        };
        for (doctor, _) in &attached {
            let aid = ctx.rng.id(created);
            doctor_attachment::Entity::insert(doctor_attachment::ActiveModel {
                id: Set(aid),
                doctor_id: Set(*doctor),
                care_centre_id: Set(id),
                ended_at: Set(None),
                created_at: Set(created),
                updated_at: Set(created),
            })
            .exec_without_returning(db)
            .await?;
            insert_agreement(db, ctx, id, *doctor, coordinator).await?;
        }
        centres.push(Centre {
            id,
            nurses: vec![nurse, second],
            coordinator,
            doctors: attached.iter().map(|(d, _)| *d).collect(),
            doctor_names: attached.into_iter().map(|(_, n)| n).collect(),
        });
    }
    Ok(centres)
}

async fn insert_doctor(db: &impl ConnectionTrait, ctx: &mut Ctx, user_id: Uuid, n: usize) -> Result<Uuid, DbErr> {
    let created = ctx.now - Duration::days(400);
    let id = ctx.rng.id(created);
    doctor::Entity::insert(doctor::ActiveModel {
        id: Set(id),
        user_id: Set(user_id),
        authorisation_id: Set(format!("{:05}", 10_000 + n * 137 % 90_000)),
        practice_name: Set(format!("Lægehuset {}", ["Åbyhøj", "Vestergade", "Torvet", "Søndergade"][n % 4])),
        phone: Set(format!("86 15 {:02} {:02}", n % 100, 20 + n % 70)),
        created_at: Set(created),
        updated_at: Set(created),
    })
    .exec_without_returning(db)
    .await?;
    Ok(id)
}

async fn insert_agreement(
    db: &impl ConnectionTrait,
    ctx: &mut Ctx,
    centre: Uuid,
    doctor: Uuid,
    coordinator: Uuid,
) -> Result<(), DbErr> {
    let agreed = ctx.now - Duration::days(200);
    let id = ctx.rng.id(agreed);
    // The demo's agreements keep DESIGN §3's defaults.
    let terms = Terms::default();
    collaboration_agreement::Entity::insert(collaboration_agreement::ActiveModel {
        id: Set(id),
        care_centre_id: Set(centre),
        doctor_id: Set(doctor),
        revision: Set(1),
        status: Set(AgreementStatus::Agreed),
        meeting_cadence: Set(MeetingCadence::Weekly),
        agenda_deadline_hours: Set(terms.agenda_deadline_hours),
        routine_answer_working_days: Set(terms.routine_answer_working_days),
        urgent_answer_hours: Set(terms.urgent_answer_hours),
        fast_response_windows: Set(json!([
            {"weekday": 1, "from": "08:00", "to": "09:00", "channel": "PHONE"},
            {"weekday": 3, "from": "12:00", "to": "12:30", "channel": "PHONE"},
            {"weekday": 5, "from": "08:00", "to": "09:00", "channel": "MESSAGE"},
        ])),
        hotline_usage: Set("Hotline bruges ved akut forværring uden for telefontid, når beboeren ikke kan vente til næste hverdag. Ved livstruende tilstand ringes 112.".into()),
        required_vitals: Set(json!(terms.required_vitals)),
        vitals_max_age_hours: Set(terms.vitals_max_age_hours),
        relatives_contacted_by: Set(ContactParty::Staff),
        move_in_coordinated_by: Set(ContactParty::Staff),
        resuscitation_documented_by: Set(ContactParty::Doctor),
        next_evaluation_on: Set(Some(ctx.today + Duration::days(165))),
        proposed_by: Set(Some(coordinator)),
        coordinator_accepted_by: Set(Some(coordinator)),
        coordinator_accepted_at: Set(Some(agreed - Duration::days(2))),
        doctor_accepted_by: Set(None),
        doctor_accepted_at: Set(Some(agreed)),
        agreed_at: Set(Some(agreed)),
        version: Set(1),
        created_at: Set(agreed - Duration::days(10)),
        updated_at: Set(agreed),
    })
    .exec_without_returning(db)
    .await?;
    Ok(())
}

async fn insert_residents(
    db: &impl ConnectionTrait,
    ctx: &mut Ctx,
    size: &DemoSize,
    centres: &[Centre],
) -> Result<Vec<ResidentInfo>, DbErr> {
    let mut infos = Vec::new();
    let mut rows = Vec::new();
    let mut decisions = Vec::new();
    for (c, centre) in centres.iter().enumerate() {
        for r in 0..size.residents_per_centre as usize {
            let moved_in = ctx.today - Duration::days(30 + ctx.rng.below(4 * 365) as i64);
            let id = ctx.rng.id(ctx.now - Duration::days(500));
            let name = person(&mut ctx.rng);
            let room = format!("{}-{:02}", ["A", "B", "C"][r % 3], 1 + r / 3);
            // Roughly one in eight keeps an external GP; in shared centres the doctors split the residents.
            let external = r % 8 == 7;
            let gp = (!external).then(|| centre.doctors[r % centre.doctors.len()]);
            let status = if r % 15 == 4 { ResidentStatus::Terminal } else { ResidentStatus::Active };
            let scale = if c == 0 && r == 2 { Spo2Scale::Scale2 } else { Spo2Scale::Scale1 };
            let born = NaiveDate::from_ymd_opt(
                ctx.rng.range(1925, 1950),
                ctx.rng.range(1, 12) as u32,
                ctx.rng.range(1, 28) as u32,
            )
            .unwrap_or_default();
            rows.push(resident::ActiveModel {
                id: Set(id),
                care_centre_id: Set(centre.id),
                full_name: Set(name.clone()),
                search_text: Set(format!("{} {}", name.to_lowercase(), room.to_lowercase())),
                date_of_birth: Set(born),
                room: Set(room),
                moved_in_on: Set(moved_in),
                status: Set(status),
                gp_doctor_id: Set(gp),
                external_gp_name: Set(external.then(|| format!("Læge {}", ctx.rng.pick(LAST_NAMES)))),
                external_gp_clinic: Set(external.then(|| "Lægerne i Centrum".to_string())),
                spo2_scale: Set(scale),
                intake_stage: Set(1 + (r % 3) as i32),
                version: Set(1),
                created_at: Set(ctx.now - Duration::days(500)),
                updated_at: Set(ctx.now - Duration::days(500)),
            });
            if let Some(doctor) = gp {
                let decision = match (status, r % 3) {
                    (ResidentStatus::Terminal, _) => ResuscitationChoice::NoCprNoHospital,
                    (_, 0) => ResuscitationChoice::FullTreatment,
                    (_, 1) => ResuscitationChoice::NoCpr,
                    _ => ResuscitationChoice::NoCprNoHospital,
                };
                let at = ctx.now - Duration::days(20 + (r as i64 % 200));
                decisions.push(resuscitation_decision::ActiveModel {
                    id: Set(ctx.rng.id(at)),
                    resident_id: Set(id),
                    decision: Set(decision),
                    note: Set(Some("Drøftet med beboer og pårørende.".into())),
                    decided_by: Set(doctor),
                    decided_at: Set(at),
                    created_at: Set(at),
                    updated_at: Set(at),
                });
            }
            infos.push(ResidentInfo {
                id,
                centre: c,
                gp,
                scale,
                sick: r % 10 == 1 || status == ResidentStatus::Terminal,
            });
        }
    }
    insert_many(db, rows).await?;
    insert_many(db, decisions).await?;
    Ok(infos)
}

fn vitals(rng: &mut Rng, sick: bool, scale: Spo2Scale, severity: i32) -> News2Input {
    let s = if sick { severity } else { 0 };
    News2Input {
        respiration_rate: Some(rng.range(13, 18) + 3 * s),
        oxygen_saturation: Some(match scale {
            Spo2Scale::Scale1 => rng.range(94, 99) - 2 * s,
            Spo2Scale::Scale2 => rng.range(88, 92) - s,
        }),
        on_supplemental_oxygen: Some(scale == Spo2Scale::Scale2 && rng.chance(30)),
        systolic_bp: Some(rng.range(115, 150) - 12 * s),
        pulse: Some(rng.range(60, 85) + 14 * s),
        consciousness: Some(if s >= 2 { Consciousness::NewConfusion } else { Consciousness::Alert }),
        temperature: Some(f64::from(rng.range(362, 375) + 6 * s) / 10.0),
    }
}

async fn insert_observations(
    db: &impl ConnectionTrait,
    ctx: &mut Ctx,
    size: &DemoSize,
    centres: &[Centre],
    residents: &[ResidentInfo],
) -> Result<(), DbErr> {
    let mut batch = Vec::with_capacity(500);
    // Rounds start at 07:00 Danish time and spread over the day shift and evening.
    let midnight = ctx
        .today
        .and_hms_opt(0, 0, 0)
        .and_then(|t| t.and_local_timezone(chrono_tz::Europe::Copenhagen).earliest())
        .map_or(ctx.now, |t| t.with_timezone(&Utc));
    let spacing = 14 * 60 / i64::from(size.observations_per_day.max(1));
    for resident in residents {
        let nurses = &centres[resident.centre].nurses;
        for day in (0..size.days as i64).rev() {
            for n in 0..size.observations_per_day as i64 {
                let minutes = 7 * 60 + n * spacing + ctx.rng.below(40) as i64;
                let recorded_at = midnight - Duration::days(day) + Duration::minutes(minutes);
                if recorded_at >= ctx.now {
                    continue;
                }
                // The sick deteriorate over the last two days (MEDIUM and HIGH scores).
                let severity = match (ctx.now - recorded_at).num_hours() {
                    ..24 => 2,
                    24..48 => 1,
                    _ => 0,
                };
                let mut input = vitals(&mut ctx.rng, resident.sick, resident.scale, severity);
                let partial = ctx.rng.chance(8);
                if partial {
                    input = News2Input { temperature: input.temperature, pulse: input.pulse, ..Default::default() };
                }
                let news2 = score(&input, resident.scale);
                batch.push(observation::ActiveModel {
                    id: Set(ctx.rng.id(recorded_at)),
                    resident_id: Set(resident.id),
                    recorded_at: Set(recorded_at),
                    received_at: Set(recorded_at + Duration::seconds(3)),
                    recorded_by: Set(nurses[(n as usize) % nurses.len()]),
                    respiration_rate: Set(input.respiration_rate),
                    oxygen_saturation: Set(input.oxygen_saturation),
                    on_supplemental_oxygen: Set(input.on_supplemental_oxygen),
                    systolic_bp: Set(input.systolic_bp),
                    diastolic_bp: Set(input.systolic_bp.map(|s| s * 6 / 10)),
                    pulse: Set(input.pulse),
                    consciousness: Set(input.consciousness),
                    temperature: Set(input.temperature),
                    blood_glucose: Set(ctx.rng.chance(15).then(|| f64::from(ctx.rng.range(50, 110)) / 10.0)),
                    weight_kg: Set((day % 7 == 0 && n == 0).then(|| f64::from(ctx.rng.range(450, 850)) / 10.0)),
                    pain_score: Set(ctx.rng.chance(30).then(|| ctx.rng.range(0, 6))),
                    note: Set(None),
                    news2_total: Set(news2.total),
                    news2_risk: Set(news2.risk),
                    news2_complete: Set(news2.complete),
                    news2_any_single_three: Set(news2.any_single_parameter_three),
                    client_mutation_id: Set(ctx.rng.id(recorded_at)),
                    payload_hash: Set("demo".into()),
                    entered_in_error: Set(false),
                    entered_in_error_reason: Set(None),
                    entered_in_error_at: Set(None),
                    entered_in_error_by: Set(None),
                    created_at: Set(recorded_at),
                    updated_at: Set(recorded_at),
                });
                ctx.summary.observations += 1;
                if batch.len() == 500 {
                    insert_many(db, std::mem::take(&mut batch)).await?;
                }
            }
        }
    }
    insert_many(db, batch).await
}

async fn insert_medications(db: &impl ConnectionTrait, ctx: &mut Ctx, residents: &[ResidentInfo]) -> Result<(), DbErr> {
    let mut rows = Vec::new();
    let mut reviews = Vec::new();
    for (i, resident) in residents.iter().enumerate() {
        // Residents 0 and 5 of each 30 take 15+ drugs; every third takes 6–9; the rest 2–5.
        let count = match i % 30 {
            0 | 5 => 16,
            n if n % 3 == 0 => 6 + (n % 4),
            n => 2 + (n % 4),
        };
        for d in 0..count {
            let (name, strength, dosage, indication) = DRUGS[(i + d) % DRUGS.len()];
            let started = ctx.today - Duration::days(60 + ctx.rng.below(900) as i64);
            let round = (i + d) / DRUGS.len() % 2;
            rows.push(medication::ActiveModel {
                id: Set(ctx.rng.id(ctx.now - Duration::days(60))),
                resident_id: Set(resident.id),
                name: Set(if round == 0 { name.to_string() } else { format!("{name} (2)") }),
                strength: Set(strength.into()),
                dosage: Set(dosage.into()),
                prn: Set(dosage.contains("behov")),
                dose_dispensed: Set(!dosage.contains("behov") && d % 2 == 0),
                indication: Set(Some(indication.into())),
                started_on: Set(started),
                stopped_on: Set(None),
                version: Set(1),
                created_at: Set(ctx.now - Duration::days(60)),
                updated_at: Set(ctx.now - Duration::days(60)),
            });
        }
        // A stopped drug, to show the history.
        rows.push(medication::ActiveModel {
            id: Set(ctx.rng.id(ctx.now - Duration::days(90))),
            resident_id: Set(resident.id),
            name: Set("Ibuprofen".into()),
            strength: Set("400 mg".into()),
            dosage: Set("1 tablet 3 gange dagligt".into()),
            prn: Set(false),
            dose_dispensed: Set(false),
            indication: Set(Some("Smerter".into())),
            started_on: Set(ctx.today - Duration::days(120)),
            stopped_on: Set(Some(ctx.today - Duration::days(90))),
            version: Set(1),
            created_at: Set(ctx.now - Duration::days(120)),
            updated_at: Set(ctx.now - Duration::days(90)),
        });
        if let (Some(doctor), true) = (resident.gp, count >= 6 && i % 2 == 0) {
            // Half of the polypharmacy residents had a review; some of those over a year ago (due again).
            let at = ctx.now - Duration::days(if i % 4 == 0 { 400 } else { 60 });
            reviews.push(medication_review::ActiveModel {
                id: Set(ctx.rng.id(at)),
                resident_id: Set(resident.id),
                doctor_id: Set(doctor),
                reviewed_at: Set(at),
                active_count_before: Set(count as i32 + 2),
                active_count_after: Set(count as i32),
                notes: Set("Seponeret to præparater uden aktuel indikation.".into()),
                created_at: Set(at),
                updated_at: Set(at),
            });
        }
    }
    insert_many(db, rows).await?;
    insert_many(db, reviews).await
}

fn plan(
    ctx: &mut Ctx,
    resident: Uuid,
    revision: i32,
    status: CarePlanStatus,
    author: Uuid,
    age: i64,
) -> care_plan::ActiveModel {
    let at = ctx.now - Duration::days(age);
    let agreed = status != CarePlanStatus::Draft;
    let sections: Vec<_> = CARE_PLAN_SECTIONS.iter().map(|(h, t)| json!({"heading": h, "text": t})).collect();
    care_plan::ActiveModel {
        id: Set(ctx.rng.id(at)),
        resident_id: Set(resident),
        revision: Set(revision),
        status: Set(status),
        goals: Set("At bevare funktionsniveau og livskvalitet, og at beboeren føler sig tryg.".into()),
        sections: Set(json!(sections)),
        agreed_at: Set(agreed.then_some(at)),
        agreed_with: Set(agreed.then(|| "Beboeren og datteren".to_string())),
        shared_with_relatives: Set(agreed),
        authored_by: Set(author),
        version: Set(1),
        created_at: Set(at),
        updated_at: Set(at),
    }
}

async fn insert_care_plans(
    db: &impl ConnectionTrait,
    ctx: &mut Ctx,
    residents: &[ResidentInfo],
    centres: &[Centre],
) -> Result<(), DbErr> {
    let mut rows = Vec::new();
    for (i, resident) in residents.iter().enumerate() {
        let author = centres[resident.centre].coordinator;
        match i % 4 {
            // The first resident of each centre (the relative's, in Solhaven) has a history.
            0 => {
                rows.push(plan(ctx, resident.id, 1, CarePlanStatus::Superseded, author, 200));
                rows.push(plan(ctx, resident.id, 2, CarePlanStatus::Agreed, author, 20));
            }
            1 | 2 => rows.push(plan(ctx, resident.id, 1, CarePlanStatus::Agreed, author, 60)),
            _ => rows.push(plan(ctx, resident.id, 1, CarePlanStatus::Draft, author, 3)),
        }
    }
    insert_many(db, rows).await
}

async fn insert_questions(
    db: &impl ConnectionTrait,
    ctx: &mut Ctx,
    centres: &[Centre],
    residents: &[ResidentInfo],
) -> Result<(), DbErr> {
    for (c, centre) in centres.iter().enumerate() {
        let mine: Vec<&ResidentInfo> = residents.iter().filter(|r| r.centre == c).collect();
        if mine.is_empty() {
            continue;
        }
        // (age in hours, priority, status); the first is overdue whatever "now" is.
        let plan: &[(i64, QuestionPriority, QuestionStatus)] = &[
            (24 * 6, QuestionPriority::Routine, QuestionStatus::Open),
            (2, QuestionPriority::Urgent, QuestionStatus::Open),
            (5, QuestionPriority::Routine, QuestionStatus::Open),
            (30, QuestionPriority::Routine, QuestionStatus::Answered),
            (24 * 9, QuestionPriority::Routine, QuestionStatus::Closed),
            (24 * 4, QuestionPriority::Urgent, QuestionStatus::Closed),
        ];
        for (q, (age, priority, status)) in plan.iter().enumerate() {
            let resident = mine[(q * 3 + 1) % mine.len()];
            let doctor = resident.gp.unwrap_or(centre.doctors[0]);
            let general = q == 2;
            insert_question(db, ctx, centre, (!general).then_some(resident), doctor, *age, *priority, *status, q)
                .await?;
        }
    }
    Ok(())
}

/// Days of history per closed question of each resident in a region-sized dataset.
const DAYS_PER_PAST_QUESTION: u32 = 18;

/// Beyond the two demo centres (the apps' and tests' dataset, unchanged), a region's history of
/// answered and closed questions: one per resident per [`DAYS_PER_PAST_QUESTION`] days, so the
/// question tables have the volume of a real region (about 30,000 for 3,000 residents over 180
/// days) and the load of docs/performance.md reads the doctor's queue among them.
async fn insert_question_history(
    db: &impl ConnectionTrait,
    ctx: &mut Ctx,
    size: &DemoSize,
    centres: &[Centre],
    residents: &[ResidentInfo],
) -> Result<(), DbErr> {
    if size.centres <= 2 {
        return Ok(());
    }
    let per_resident = (size.days / DAYS_PER_PAST_QUESTION).max(1);
    let mut questions = Vec::new();
    let mut messages = Vec::new();
    for resident in residents {
        let centre = &centres[resident.centre];
        let doctor = resident.gp.unwrap_or(centre.doctors[0]);
        for _ in 0..per_resident {
            // At least a day old, so that every one of them is closed before "now".
            let asked_at = ctx.now - Duration::hours(24 + ctx.rng.below(u64::from(size.days.max(2) - 1) * 24) as i64);
            let (subject, body) = *ctx.rng.pick(QUESTIONS);
            let asked = Asked { centre, resident: Some(resident), doctor, asked_at, subject, body };
            let (_, question, message) = asked.models(ctx, QuestionPriority::Routine, QuestionStatus::Closed);
            questions.push(question);
            messages.push(message);
        }
    }
    ctx.summary.questions += questions.len();
    insert_many(db, questions).await?;
    insert_many(db, messages).await
}

/// A question a centre's first nurse asked, and her message that opens its thread.
struct Asked<'a> {
    centre: &'a Centre,
    resident: Option<&'a ResidentInfo>,
    doctor: Uuid,
    asked_at: DateTime<Utc>,
    subject: &'a str,
    body: &'a str,
}

impl Asked<'_> {
    /// The question's id, the question (answered three hours and closed twenty hours after it
    /// was asked, as its status says) and the opening message.
    fn models(
        &self,
        ctx: &mut Ctx,
        priority: QuestionPriority,
        status: QuestionStatus,
    ) -> (Uuid, question::ActiveModel, message::ActiveModel) {
        let asked_at = self.asked_at;
        let id = ctx.rng.id(asked_at);
        let answered = matches!(status, QuestionStatus::Answered | QuestionStatus::Closed);
        let terms = Terms::default();
        let question = question::ActiveModel {
            id: Set(id),
            care_centre_id: Set(self.centre.id),
            resident_id: Set(self.resident.map(|r| r.id)),
            asked_by: Set(self.centre.nurses[0]),
            doctor_id: Set(self.doctor),
            subject: Set(self.subject.into()),
            body: Set(self.body.into()),
            category: Set(Some(if self.resident.is_some() { "Klinisk" } else { "Generelt" }.into())),
            priority: Set(priority),
            status: Set(status),
            asked_at: Set(asked_at),
            // Due by the demo agreement, which keeps the defaults.
            due_at: Set(answer_due_at(
                asked_at,
                priority,
                terms.urgent_answer_hours,
                terms.routine_answer_working_days,
            )),
            answered_at: Set(answered.then(|| asked_at + Duration::hours(3))),
            closed_at: Set((status == QuestionStatus::Closed).then(|| asked_at + Duration::hours(20))),
            override_reason: Set(None),
            missing_vitals: Set(json!([])),
            client_mutation_id: Set(ctx.rng.id(asked_at)),
            payload_hash: Set("demo".into()),
            version: Set(1),
            created_at: Set(asked_at),
            updated_at: Set(asked_at),
        };
        let message = message::ActiveModel {
            id: Set(ctx.rng.id(asked_at)),
            question_id: Set(id),
            author_id: Set(self.centre.nurses[0]),
            body: Set(self.body.into()),
            created_at: Set(asked_at),
            updated_at: Set(asked_at),
        };
        (id, question, message)
    }
}

#[allow(clippy::too_many_arguments)]
async fn insert_question(
    db: &impl ConnectionTrait,
    ctx: &mut Ctx,
    centre: &Centre,
    resident: Option<&ResidentInfo>,
    doctor: Uuid,
    age_hours: i64,
    priority: QuestionPriority,
    status: QuestionStatus,
    n: usize,
) -> Result<(), DbErr> {
    let asked_at = ctx.now - Duration::hours(age_hours);
    let (subject, body) = if resident.is_none() {
        ("Influenzavaccination", "Hvornår kan vi forvente at vaccinere beboerne, og skal der indhentes samtykke på ny?")
    } else {
        QUESTIONS[n % QUESTIONS.len()]
    };
    let asked = Asked { centre, resident, doctor, asked_at, subject, body };
    let (id, question, message) = asked.models(ctx, priority, status);
    question::Entity::insert(question).exec_without_returning(db).await?;
    ctx.summary.questions += 1;
    let mut messages = vec![message];
    let answered = matches!(status, QuestionStatus::Answered | QuestionStatus::Closed);
    if answered {
        let at = asked_at + Duration::hours(3);
        let doctor_user = doctor::Entity::find_by_id(doctor).one(db).await?.map(|d| d.user_id);
        if let Some(author) = doctor_user {
            messages.push(message::ActiveModel {
                id: Set(ctx.rng.id(at)),
                question_id: Set(id),
                author_id: Set(author),
                body: Set("Tak for beskeden. Fortsæt observation, og kontakt mig igen ved forværring.".into()),
                created_at: Set(at),
                updated_at: Set(at),
            });
        }
    }
    insert_many(db, messages).await?;
    // An urgent question carries the resident's newest observation (taken within the last hours).
    if let (QuestionPriority::Urgent, Some(resident)) = (priority, resident) {
        use sea_orm::{ColumnTrait, QueryFilter, QueryOrder};
        let latest = observation::Entity::find()
            .filter(observation::Column::ResidentId.eq(resident.id))
            .filter(observation::Column::RecordedAt.lte(asked_at))
            .order_by_desc(observation::Column::RecordedAt)
            .one(db)
            .await?;
        match latest {
            Some(obs) => {
                question_observation::Entity::insert(question_observation::ActiveModel {
                    id: Set(ctx.rng.id(asked_at)),
                    question_id: Set(id),
                    observation_id: Set(obs.id),
                    created_at: Set(asked_at),
                    updated_at: Set(asked_at),
                })
                .exec_without_returning(db)
                .await?;
            }
            None => {
                let mut q = question::Entity::find_by_id(id).one(db).await?.map(IntoActiveModel::into_active_model);
                if let Some(q) = q.as_mut() {
                    q.override_reason = Set(Some("Beboeren afviste måling; akut vurdering ønskes.".into()));
                }
                if let Some(q) = q {
                    question::Entity::update(q).exec(db).await?;
                }
            }
        }
    }
    Ok(())
}

async fn insert_meetings(
    db: &impl ConnectionTrait,
    ctx: &mut Ctx,
    centres: &[Centre],
    residents: &[ResidentInfo],
) -> Result<(), DbErr> {
    for (c, centre) in centres.iter().enumerate() {
        let doctor = centre.doctors[0];
        let first_resident = residents.iter().find(|r| r.centre == c).map(|r| r.id);
        // Four weekly advisory meetings held, one planned (deadline ahead), one with the agenda sent.
        for week in (1..=4).rev() {
            let starts = ctx.now - Duration::days(7 * week) - Duration::hours(2);
            let id =
                insert_meeting(db, ctx, centre, doctor, MeetingKind::Advisory, starts, MeetingStatus::Held, 60).await?;
            let topic = [
                AgendaTopic::UrineSampling,
                AgendaTopic::SharedMedicationCard,
                AgendaTopic::PainManagement,
                AgendaTopic::DoseDispensing,
            ][week as usize % 4];
            insert_agenda_item(
                db,
                ctx,
                id,
                topic,
                centre.nurses[0],
                None,
                Some("Drøftet; ny instruks udarbejdes af koordinator."),
            )
            .await?;
            insert_time_entry(db, ctx, centre, doctor, TimeEntryKind::GeneralAdvisory, starts, 60, Some(id)).await?;
        }
        let review_at = ctx.now - Duration::days(10);
        let review =
            insert_meeting(db, ctx, centre, doctor, MeetingKind::ResidentReview, review_at, MeetingStatus::Held, 90)
                .await?;
        insert_agenda_item(
            db,
            ctx,
            review,
            AgendaTopic::ResidentCase,
            centre.coordinator,
            first_resident,
            Some("Medicin gennemgået."),
        )
        .await?;
        insert_time_entry(db, ctx, centre, doctor, TimeEntryKind::IndividualTreatment, review_at, 90, Some(review))
            .await?;

        let sent = insert_meeting(
            db,
            ctx,
            centre,
            doctor,
            MeetingKind::Advisory,
            ctx.now + Duration::hours(26),
            MeetingStatus::AgendaSent,
            60,
        )
        .await?;
        insert_agenda_item(db, ctx, sent, AgendaTopic::Swabbing, centre.nurses[0], None, None).await?;
        insert_agenda_item(db, ctx, sent, AgendaTopic::OtcMedicine, centre.nurses[1], None, None).await?;
        let planned = insert_meeting(
            db,
            ctx,
            centre,
            doctor,
            MeetingKind::Advisory,
            ctx.now + Duration::days(6),
            MeetingStatus::Planned,
            60,
        )
        .await?;
        insert_agenda_item(db, ctx, planned, AgendaTopic::LifeProlongingTreatment, centre.coordinator, None, None)
            .await?;
        insert_agenda_item(db, ctx, planned, AgendaTopic::Resuscitation, centre.nurses[0], first_resident, None)
            .await?;
        if c == 0 {
            // A care conference for the relative's resident; the invitation is added with the relative.
            insert_meeting(
                db,
                ctx,
                centre,
                doctor,
                MeetingKind::CareConference,
                ctx.now + Duration::days(9),
                MeetingStatus::Planned,
                45,
            )
            .await?;
        }
    }
    Ok(())
}

#[allow(clippy::too_many_arguments)]
async fn insert_meeting(
    db: &impl ConnectionTrait,
    ctx: &mut Ctx,
    centre: &Centre,
    doctor: Uuid,
    kind: MeetingKind,
    starts_at: DateTime<Utc>,
    status: MeetingStatus,
    minutes: i32,
) -> Result<Uuid, DbErr> {
    let id = ctx.rng.id(starts_at - Duration::days(14));
    let held = status == MeetingStatus::Held;
    meeting::Entity::insert(meeting::ActiveModel {
        id: Set(id),
        care_centre_id: Set(centre.id),
        doctor_id: Set(doctor),
        kind: Set(kind),
        starts_at: Set(starts_at),
        duration_minutes: Set(minutes),
        location: Set("Mødelokalet, stueetagen".into()),
        status: Set(status),
        agenda_sent_at: Set((status != MeetingStatus::Planned)
            .then(|| agenda_deadline(starts_at, Terms::default().agenda_deadline_hours))),
        minutes: Set(held.then(|| "Gennemgang af aktuelle beboere og instrukser. Næste møde som aftalt.".to_string())),
        attendees: Set(if held { json!([centre.doctor_names[0], "Koordinator", "Sygeplejerske"]) } else { json!([]) }),
        held_at: Set(held.then(|| starts_at + Duration::minutes(minutes.into()))),
        cancelled_at: Set(None),
        version: Set(1),
        created_at: Set(starts_at - Duration::days(14)),
        updated_at: Set(starts_at - Duration::days(14)),
    })
    .exec_without_returning(db)
    .await?;
    Ok(id)
}

async fn insert_agenda_item(
    db: &impl ConnectionTrait,
    ctx: &mut Ctx,
    meeting: Uuid,
    topic: AgendaTopic,
    proposed_by: Uuid,
    resident: Option<Uuid>,
    outcome: Option<&str>,
) -> Result<(), DbErr> {
    let (title, description) = match topic {
        AgendaTopic::UrineSampling => {
            ("Urinprøver", "Hvornår tager vi urinprøve, og hvordan undgår vi unødig antibiotika?")
        }
        AgendaTopic::Swabbing => ("Podning af sår", "Fælles instruks for podning af kroniske sår."),
        AgendaTopic::SharedMedicationCard => ("FMK", "Afstemning af FMK ved indflytning og udskrivelse."),
        AgendaTopic::LifeProlongingTreatment => {
            ("Livsforlængende behandling", "Hvordan tager vi samtalen med nye beboere?")
        }
        AgendaTopic::DoseDispensing => ("Dosisdispensering", "Overgang til dosisdispenseret medicin."),
        AgendaTopic::OtcMedicine => ("Håndkøbsmedicin", "Retningslinje for håndkøbsmedicin og naturlægemidler."),
        AgendaTopic::PainManagement => ("Smertebehandling", "Brug af smerteskema hos beboere med demens."),
        AgendaTopic::Resuscitation => ("Genoplivning", "Opfølgning på genoplivningsbeslutning."),
        AgendaTopic::ResidentCase => ("Beboergennemgang", "Systematisk gennemgang af beboer."),
        AgendaTopic::Collaboration => ("Samarbejde", "Evaluering af samarbejdet."),
        AgendaTopic::Other => ("Eventuelt", ""),
    };
    let at = ctx.now - Duration::days(15);
    agenda_item::Entity::insert(agenda_item::ActiveModel {
        id: Set(ctx.rng.id(at)),
        meeting_id: Set(meeting),
        topic: Set(topic),
        title: Set(title.into()),
        description: Set(description.into()),
        resident_id: Set(resident),
        proposed_by: Set(proposed_by),
        source_question_id: Set(None),
        added_after_deadline: Set(false),
        outcome: Set(outcome.map(str::to_owned)),
        position: Set(ctx.rng.range(1, 1000)),
        created_at: Set(at),
        updated_at: Set(at),
    })
    .exec_without_returning(db)
    .await?;
    Ok(())
}

#[allow(clippy::too_many_arguments)]
async fn insert_time_entry(
    db: &impl ConnectionTrait,
    ctx: &mut Ctx,
    centre: &Centre,
    doctor: Uuid,
    kind: TimeEntryKind,
    at: DateTime<Utc>,
    minutes: i32,
    meeting: Option<Uuid>,
) -> Result<(), DbErr> {
    time_entry::Entity::insert(time_entry::ActiveModel {
        id: Set(ctx.rng.id(at)),
        doctor_id: Set(doctor),
        care_centre_id: Set(centre.id),
        kind: Set(kind),
        work_date: Set(crate::clock::copenhagen_date(at)),
        minutes: Set(minutes),
        meeting_id: Set(meeting),
        note: Set(None),
        created_at: Set(at),
        updated_at: Set(at),
    })
    .exec_without_returning(db)
    .await?;
    Ok(())
}

async fn insert_relatives(
    db: &impl ConnectionTrait,
    ctx: &mut Ctx,
    residents: &[ResidentInfo],
    password_hash: &str,
) -> Result<(), DbErr> {
    use sea_orm::{ColumnTrait, QueryFilter};
    let Some(resident) = residents.iter().find(|r| r.centre == 0) else {
        return Ok(());
    };
    let relative = insert_user(db, ctx, "paaroerende@demo.dk", "Susanne Holm", Role::Relative, password_hash).await?;
    let other = insert_user(db, ctx, "paaroerende2@demo.dk", "Jens Kjær", Role::Relative, password_hash).await?;
    let mut links = vec![(relative, resident.id, "Datter")];
    if let Some(second) = residents.iter().filter(|r| r.centre == 0).nth(1) {
        links.push((other, second.id, "Søn"));
    }
    for (user, resident, relation) in links {
        let at = ctx.now - Duration::days(30);
        relative_link::Entity::insert(relative_link::ActiveModel {
            id: Set(ctx.rng.id(at)),
            relative_user_id: Set(user),
            resident_id: Set(resident),
            relation: Set(relation.into()),
            consent_recorded_at: Set(at),
            consent_expires_at: Set(at + Duration::days(365)),
            revoked_at: Set(None),
            created_at: Set(at),
            updated_at: Set(at),
        })
        .exec_without_returning(db)
        .await?;
    }
    let conference =
        meeting::Entity::find().filter(meeting::Column::Kind.eq(MeetingKind::CareConference)).one(db).await?;
    if let Some(conference) = conference {
        meeting_invitation::Entity::insert(meeting_invitation::ActiveModel {
            id: Set(ctx.rng.id(ctx.now)),
            meeting_id: Set(conference.id),
            relative_user_id: Set(relative),
            created_at: Set(ctx.now),
            updated_at: Set(ctx.now),
        })
        .exec_without_returning(db)
        .await?;
    }
    Ok(())
}
