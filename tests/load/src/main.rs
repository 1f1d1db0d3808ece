//! `plejelink-load`: load for Plejelink, PostGraphile and the SQL floor. See docs/performance.md.
//!
//! ```text
//! plejelink-load --database-url URL [--ours URL] [--ours-pid PID] [--peer URL] [--peer-pid PID]
//!     [--floor] [--ops a,b,c,d,e] [--repeats N] [--duration S] [--warmup S] [--concurrency N]
//!     [--rate R] [--no-open-runs] [--centres N] [--label TEXT] [--out FILE]
//! ```

// The table goes to stdout.
#![allow(clippy::print_stdout)]

use anyhow::{Context, bail};
use plejelink_load::floor::Floor;
use plejelink_load::ops::{Op, Ours, client, tracing_note};
use plejelink_load::peer::Peer;
use plejelink_load::suite::{self, Settings, Targets};
use plejelink_load::world::{self, World};
use serde_json::json;
use std::sync::Arc;
use std::time::Duration;

const USAGE: &str = "usage: plejelink-load --database-url URL [--ours URL] [--ours-pid PID] [--peer URL] [--peer-pid PID] \
[--floor] [--ops a,b,c,d,e] [--repeats N] [--duration S] [--warmup S] [--concurrency N] [--rate R] [--no-open-runs] \
[--centres N] [--label TEXT] [--out FILE]";

#[derive(Default)]
struct Args {
    database_url: Option<String>,
    ours: Option<String>,
    ours_pid: Option<u32>,
    peer: Option<String>,
    peer_pid: Option<u32>,
    floor: bool,
    ops: Vec<Op>,
    repeats: usize,
    duration: f64,
    warmup: f64,
    concurrency: usize,
    rate: Option<f64>,
    open_runs: bool,
    centres: Option<usize>,
    label: String,
    out: Option<String>,
}

fn parse() -> anyhow::Result<Args> {
    let mut args = Args {
        ops: vec![Op::Queue, Op::Trend, Op::Residents],
        repeats: 3,
        duration: 10.0,
        warmup: 2.0,
        concurrency: 16,
        open_runs: true,
        label: "run".into(),
        ..Args::default()
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let mut value = || it.next().with_context(|| format!("{flag} needs a value\n{USAGE}"));
        match flag.as_str() {
            "--database-url" => args.database_url = Some(value()?),
            "--ours" => args.ours = Some(value()?),
            "--ours-pid" => args.ours_pid = Some(value()?.parse()?),
            "--peer" => args.peer = Some(value()?),
            "--peer-pid" => args.peer_pid = Some(value()?.parse()?),
            "--floor" => args.floor = true,
            "--ops" => args.ops = value()?.split(',').map(Op::parse).collect::<anyhow::Result<_>>()?,
            "--repeats" => args.repeats = value()?.parse()?,
            "--duration" => args.duration = value()?.parse()?,
            "--warmup" => args.warmup = value()?.parse()?,
            "--concurrency" => args.concurrency = value()?.parse()?,
            "--rate" => args.rate = Some(value()?.parse()?),
            "--no-open-runs" => args.open_runs = false,
            "--centres" => args.centres = Some(value()?.parse()?),
            "--label" => args.label = value()?,
            "--out" => args.out = Some(value()?),
            "-h" | "--help" => {
                println!("{USAGE}");
                std::process::exit(0);
            }
            other => bail!("unknown argument {other}\n{USAGE}"),
        }
    }
    Ok(args)
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = parse()?;
    let database_url =
        args.database_url.clone().context("--database-url is required (it names the users and residents)")?;
    let postgres = database_url.starts_with("postgres");
    let db = world::connect(&database_url, 16).await?;
    let world = Arc::new(World::load(&db, args.centres).await?);
    tracing_note(&format!(
        "world: {} nurses, {} coordinators, {} doctors, {} relatives, {} centres",
        world.nurses.len(),
        world.coordinators.len(),
        world.doctors.len(),
        world.relatives.len(),
        world.residents.len()
    ));
    let http = client()?;
    let mut targets = Targets::default();
    if let Some(url) = &args.ours {
        targets.ours = Some((Ours::new(http.clone(), url, world.clone()), suite::probes(args.ours_pid, &database_url)));
    }
    if let Some(url) = &args.peer {
        targets.peer = Some((Peer::new(http.clone(), url, world.clone()), suite::probes(args.peer_pid, &database_url)));
    }
    if args.floor {
        targets.floor = Some((Floor::new(db.clone(), world.clone(), true), suite::probes(None, &database_url)));
        targets.floor_reads = Some((Floor::new(db.clone(), world.clone(), false), suite::probes(None, &database_url)));
    }
    let settings = Settings {
        ops: args.ops.clone(),
        repeats: args.repeats.max(1),
        warmup: Duration::from_secs_f64(args.warmup),
        duration: Duration::from_secs_f64(args.duration),
        concurrency: args.concurrency,
        open_runs: args.open_runs,
        rate: args.rate,
    };
    let runs = suite::run(&targets, &settings).await?;
    let rows = suite::rows(&runs);
    println!("\n## {}\n\n{}", args.label, suite::table(&rows));
    let errors: u64 = rows.iter().map(|r| r.errors).sum();
    if let Some(out) = &args.out {
        let context = json!({
            "label": args.label,
            "database": if postgres { "postgresql" } else { "sqlite" },
            "at": chrono::Utc::now().to_rfc3339(),
            "cpus": std::thread::available_parallelism().map(|n| n.get()).unwrap_or(0),
            "loadAverage": std::fs::read_to_string("/proc/loadavg").unwrap_or_default().trim(),
            "centres": world.residents.len(),
        });
        let value = suite::to_json(&runs, &rows, &settings, context);
        std::fs::write(out, serde_json::to_string_pretty(&value)?).with_context(|| format!("writing {out}"))?;
        tracing_note(&format!("results written to {out}"));
    }
    if errors > 0 {
        bail!("{errors} requests failed");
    }
    Ok(())
}
