//! Migrations, schema snapshot, health endpoints, SQLite settings and the demo dataset.

use entities::enums::{CarePlanStatus, MeetingStatus, News2Risk, QuestionStatus, Role};
use entities::{care_plan, meeting, observation, question, relative_link, resident, user};
use migration::{Migrator, MigratorTrait};
use plejelink_tests::{Backend, TestApp, backends, spawn_empty_app, spawn_empty_app_with};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, Statement};

async fn migrations_go_up_down_and_up_again(app: TestApp) {
    // The app already migrated up; take everything down and up again.
    Migrator::down(&app.db, None).await.expect("down");
    let tables = match app.backend {
        Backend::Sqlite => {
            "SELECT count(*) AS n FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'seaql%' AND name NOT LIKE 'sqlite%'"
        }
        Backend::Postgres => {
            "SELECT count(*) AS n FROM information_schema.tables WHERE table_schema = 'public' AND table_name NOT LIKE 'seaql%'"
        }
    };
    let count = |db: &sea_orm::DatabaseConnection| {
        let stmt = Statement::from_string(db.get_database_backend(), tables);
        let db = db.clone();
        async move { db.query_one_raw(stmt).await.expect("count").expect("row").try_get::<i64>("", "n").expect("n") }
    };
    assert_eq!(count(&app.db).await, 0, "down drops every table");
    Migrator::up(&app.db, None).await.expect("up again");
    assert_eq!(count(&app.db).await, 25, "up creates every table");
}

async fn demo_dataset_has_every_scenario(app: TestApp) {
    let db = &app.db;
    for (email, _) in plejelink::demo::DEMO_LOGINS {
        let found = user::Entity::find().filter(user::Column::Email.eq(*email)).one(db).await.expect("query");
        assert!(found.is_some_and(|u| u.active), "{email} exists");
    }
    let relatives = user::Entity::find().filter(user::Column::Role.eq(Role::Relative)).count(db).await.expect("q");
    assert!(relatives >= 1);
    let overdue = question::Entity::find()
        .filter(question::Column::Status.eq(QuestionStatus::Open))
        .filter(question::Column::DueAt.lt(app.now))
        .count(db)
        .await
        .expect("q");
    assert!(overdue >= 1, "an overdue question");
    let planned = meeting::Entity::find()
        .filter(meeting::Column::Status.eq(MeetingStatus::Planned))
        .filter(meeting::Column::StartsAt.gt(app.now + chrono::Duration::hours(48)))
        .count(db)
        .await
        .expect("q");
    assert!(planned >= 1, "a meeting whose agenda deadline is ahead");
    let sent = meeting::Entity::find().filter(meeting::Column::Status.eq(MeetingStatus::AgendaSent)).count(db).await;
    assert!(sent.expect("q") >= 1, "a meeting whose agenda was sent");
    let alarming = observation::Entity::find()
        .filter(observation::Column::News2Risk.is_in([News2Risk::Medium, News2Risk::High]))
        .count(db)
        .await
        .expect("q");
    assert!(alarming >= 1, "MEDIUM or HIGH observations");
    let scale_2 = resident::Entity::find()
        .filter(resident::Column::Spo2Scale.eq(entities::enums::Spo2Scale::Scale2))
        .count(db)
        .await
        .expect("q");
    assert_eq!(scale_2, 1, "one resident on SpO2 scale 2");
    let external = resident::Entity::find().filter(resident::Column::GpDoctorId.is_null()).count(db).await.expect("q");
    assert!(external >= 1, "some keep an external GP");
    // The relative's resident has an AGREED care plan shared with relatives.
    let relative = user::Entity::find().filter(user::Column::Email.eq("paaroerende@demo.dk")).one(db).await;
    let relative = relative.expect("q").expect("relative");
    let link = relative_link::Entity::find()
        .filter(relative_link::Column::RelativeUserId.eq(relative.id))
        .one(db)
        .await
        .expect("q")
        .expect("link");
    let shared = care_plan::Entity::find()
        .filter(care_plan::Column::ResidentId.eq(link.resident_id))
        .filter(care_plan::Column::Status.eq(CarePlanStatus::Agreed))
        .filter(care_plan::Column::SharedWithRelatives.eq(true))
        .count(db)
        .await
        .expect("q");
    assert_eq!(shared, 1);
}

/// The same "now" and size give the same data (ids included).
#[tokio::test]
async fn demo_is_deterministic() {
    let a = spawn_empty_app(Backend::Sqlite).await.expect("sqlite");
    let b = spawn_empty_app(Backend::Sqlite).await.expect("sqlite");
    let size = plejelink_tests::test_demo_size();
    for app in [&a, &b] {
        plejelink::demo::load(&app.db, &size, a.now, "hash").await.expect("load");
    }
    let ids = |app: &TestApp| {
        let db = app.db.clone();
        async move {
            let mut ids: Vec<_> =
                resident::Entity::find().all(&db).await.expect("q").into_iter().map(|r| (r.id, r.full_name)).collect();
            ids.sort();
            ids
        }
    };
    let (ids_a, ids_b) = (ids(&a).await, ids(&b).await);
    assert_eq!(ids_a.len(), 24);
    assert_eq!(ids_a, ids_b);
    assert!(plejelink::demo::load(&a.db, &size, a.now, "hash").await.is_err(), "refuses a filled database");
}

async fn health_and_keys(app: TestApp) {
    let get = |path: &str| app.client.get(format!("{}{path}", app.address)).send();
    assert_eq!(get("/healthz").await.expect("healthz").status(), 200);
    assert_eq!(get("/readyz").await.expect("readyz").status(), 200);
    let jwks: serde_json::Value = get("/.well-known/jwks.json").await.expect("jwks").json().await.expect("json");
    assert_eq!(jwks["keys"][0]["alg"], "EdDSA");
    assert_eq!(jwks["keys"][0]["crv"], "Ed25519");
    assert!(jwks["keys"][0]["kid"].as_str().is_some_and(|k| !k.is_empty()));
}

backends!(migrations_go_up_down_and_up_again, demo_dataset_has_every_scenario, health_and_keys);

#[tokio::test]
async fn sqlite_runs_with_wal_full_sync_and_foreign_keys() {
    let app = spawn_empty_app(Backend::Sqlite).await.expect("sqlite");
    for (pragma, expected) in [("journal_mode", "wal"), ("synchronous", "2"), ("foreign_keys", "1")] {
        let row = app
            .db
            .query_one_raw(Statement::from_string(app.db.get_database_backend(), format!("PRAGMA {pragma}")))
            .await
            .expect("pragma")
            .expect("row");
        let value =
            row.try_get_by_index::<String>(0).or_else(|_| row.try_get_by_index::<i64>(0).map(|n| n.to_string()));
        assert_eq!(value.expect("value").to_lowercase(), expected, "PRAGMA {pragma}");
    }
}

#[test]
fn schema_snapshot_is_current() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../api/schema.graphql");
    let current = plejelink::graphql::sdl();
    if std::env::var("PLEJELINK_UPDATE_SCHEMA").as_deref() == Ok("1") {
        std::fs::write(&path, &current).expect("write schema");
    }
    let saved = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        saved == current,
        "api/schema.graphql is out of date: run `cargo run -p plejelink -- export-schema > api/schema.graphql`"
    );
}

/// The built apps are served with the app shell for client routes, long-cached hashed assets and a CSP.
#[tokio::test]
async fn serves_the_built_apps() {
    let dir = std::env::temp_dir().join(format!("plejelink-clients-{}", uuid::Uuid::now_v7().simple()));
    let dist = dir.join("nurse/dist");
    std::fs::create_dir_all(dist.join("assets")).expect("dist");
    std::fs::write(dist.join("index.html"), "<html>sygeplejerske</html>").expect("index");
    std::fs::write(dist.join("assets/app-1234.js"), "console.log(1)").expect("asset");
    let app = spawn_empty_app_with(Backend::Sqlite, &[("PLEJELINK_CLIENTS_DIR", dir.to_str().expect("utf-8"))])
        .await
        .expect("sqlite");
    let client = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().expect("client");
    let get = |path: &str| client.get(format!("{}{path}", app.address)).send();

    let shell = get("/nurse/").await.expect("shell");
    assert_eq!(shell.status(), 200);
    assert!(shell.headers()["content-security-policy"].to_str().expect("csp").contains("script-src 'self'"));
    assert_eq!(shell.headers()["cache-control"], "no-cache");
    assert!(shell.text().await.expect("body").contains("sygeplejerske"));
    let deep = get("/nurse/beboere/123").await.expect("client route");
    assert_eq!(deep.status(), 200, "client routes get the app shell");
    let asset = get("/nurse/assets/app-1234.js").await.expect("asset");
    assert_eq!(asset.headers()["cache-control"], "public, max-age=31536000, immutable");
    assert_eq!(get("/nurse/assets/missing.js").await.expect("missing").status(), 404);
    assert_eq!(get("/nurse").await.expect("bare").status(), 200);
    assert_eq!(get("/doctor/").await.expect("not built").status(), 404, "apps not built are not served");
    let _ = std::fs::remove_dir_all(dir);
}

/// Restore drill: a backup taken while the server runs opens as a database with the same counts
/// and an intact access log.
#[tokio::test]
async fn sqlite_backup_restores_with_the_same_data() {
    let app = plejelink_tests::spawn_app(Backend::Sqlite).await.expect("sqlite");
    let nurse = app.login("sygeplejerske.solhaven@demo.dk").await;
    let centres = app.data(&nurse, "{ careCentres { id } }", serde_json::json!({})).await;
    app.data(
        &nurse,
        "query($c: ID!) { residents(careCentreId: $c) { totalCount edges { node { fullName } } } }",
        serde_json::json!({ "c": centres["careCentres"][0]["id"] }),
    )
    .await;
    let target = std::env::temp_dir().join(format!("plejelink-backup-{}.sqlite", uuid::Uuid::now_v7().simple()));
    plejelink::backup::sqlite_backup(&app.db, &target).await.expect("backup");
    assert!(plejelink::backup::sqlite_backup(&app.db, &target).await.is_err(), "never overwrites");
    let copy = plejelink::db::connect(&format!("sqlite://{}?mode=rw", target.display())).await.expect("open backup");
    let count = |db: sea_orm::DatabaseConnection| async move {
        (
            observation::Entity::find().count(&db).await.expect("count"),
            entities::audit_event::Entity::find().count(&db).await.expect("count"),
        )
    };
    assert_eq!(count(app.db.clone()).await, count(copy.clone()).await);
    assert!(count(copy.clone()).await.1 > 0);
    let verified = plejelink::audit::verify(&copy).await.expect("verify");
    assert!(matches!(verified, plejelink::audit::Verification::Intact { .. }), "{verified:?}");
    copy.close().await.expect("close");
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", target.display()));
    }
}

/// Several instances starting at once migrate one after the other (PostgreSQL advisory lock).
#[tokio::test]
async fn concurrent_migrations_on_postgres() {
    let Some(app) = spawn_empty_app(Backend::Postgres).await else { return };
    Migrator::down(&app.db, None).await.expect("down");
    let url = app.database_url.clone();
    let runs = (0..3).map(|_| {
        let url = url.clone();
        tokio::spawn(async move { plejelink::db::migrate(&url).await })
    });
    for run in runs.collect::<Vec<_>>() {
        run.await.expect("task").expect("migrate");
    }
    let applied = Migrator::get_applied_migrations(&app.db).await.expect("applied");
    assert_eq!(applied.len(), Migrator::migrations().len());
}
