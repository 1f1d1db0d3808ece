//! CI smoke of the load harness: every operation for half a second each against a real server
//! with the test-sized demo (SQLite always, PostgreSQL when `PLEJELINK_TEST_POSTGRES_URL` is
//! set), in both load models. Fails on any failed request, never on timing (a shared CI machine
//! says nothing about speed).

use plejelink_load::ops::{Op, Ours, client};
use plejelink_load::suite::{self, Kind, Settings, Targets};
use plejelink_load::world::{self, World};
use plejelink_tests::{TestApp, backends};
use std::sync::Arc;
use std::time::Duration;

async fn every_operation_runs_without_errors(app: TestApp) {
    let db = world::connect(&app.database_url, 2).await.expect("connect");
    let world = Arc::new(World::load(&db, None).await.expect("world"));
    assert!(!world.relatives.is_empty() && !world.doctors.is_empty());
    let ours = Ours::new(client().expect("client"), &app.address, world.clone());
    let targets = Targets {
        ours: Some((ours, suite::probes(Some(std::process::id()), &app.database_url))),
        ..Targets::default()
    };
    let settings = Settings {
        ops: Op::ALL.to_vec(),
        repeats: 1,
        warmup: Duration::ZERO,
        duration: Duration::from_millis(500),
        concurrency: 4,
        open_runs: true,
        rate: None,
    };
    let runs = suite::run(&targets, &settings).await.expect("runs");
    let rows = suite::rows(&runs);
    eprintln!("{}", suite::table(&rows));
    for op in Op::ALL {
        let of_op: Vec<_> = rows.iter().filter(|r| r.op == op && r.kind == Kind::Ours).collect();
        assert!(of_op.iter().any(|r| r.phase == "saturation"), "{} was not run", op.name());
        assert!(of_op.iter().any(|r| r.phase == "half-ours"), "{} had no fixed-rate run", op.name());
    }
    for run in &runs {
        let s = &run.summary;
        assert!(s.ok > 0, "{}: no request answered", s.label);
        assert_eq!(s.errors, 0, "{}: {} failed requests, first: {:?}", s.label, s.errors, s.first_errors);
        assert!(s.server_cpu_ms.is_some_and(|cpu| cpu >= 0.0), "{}: no CPU reading", s.label);
    }
}

backends!(every_operation_runs_without_errors);
