//! Runs the operations against each target, alternating targets within each repeat so that the
//! noise of a shared machine falls on all of them alike, and summarises median and spread.

use crate::cpu::Probe;
use crate::engine::{self, Job, Model, Probes, Summary, median_spread};
use crate::floor::Floor;
use crate::ops::{Op, Ours, tracing_note};
use crate::peer::Peer;
use serde_json::{Value, json};
use std::time::Duration;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Ours,
    Peer,
    Floor,
    FloorReads,
}

impl Kind {
    pub fn name(self) -> &'static str {
        match self {
            Kind::Ours => "plejelink",
            Kind::Peer => "postgraphile",
            Kind::Floor => "sql-floor",
            Kind::FloorReads => "sql-floor-reads",
        }
    }
}

/// The systems under load; any may be absent.
#[derive(Default)]
pub struct Targets {
    pub ours: Option<(Ours, Probes)>,
    pub peer: Option<(Peer, Probes)>,
    pub floor: Option<(Floor, Probes)>,
    pub floor_reads: Option<(Floor, Probes)>,
}

impl Targets {
    fn job(&self, kind: Kind, op: Op) -> Option<(Job, Probes)> {
        match kind {
            Kind::Ours => self.ours.as_ref().map(|(t, p)| (t.job(op), p.clone())),
            Kind::Peer => self.peer.as_ref().and_then(|(t, p)| Some((t.job(op)?, p.clone()))),
            Kind::Floor => self.floor.as_ref().and_then(|(t, p)| Some((t.job(op)?, p.clone()))),
            Kind::FloorReads => self.floor_reads.as_ref().and_then(|(t, p)| Some((t.job(op)?, p.clone()))),
        }
    }

    async fn prepare(&self) -> anyhow::Result<()> {
        if let Some((ours, _)) = &self.ours {
            ours.sessions.ensure_fresh().await?;
        }
        Ok(())
    }
}

#[derive(Debug, Clone)]
pub struct Settings {
    pub ops: Vec<Op>,
    pub repeats: usize,
    pub warmup: Duration,
    pub duration: Duration,
    pub concurrency: usize,
    /// Also run the open model at half the saturation throughput (ours), and ours and the peer
    /// at half the peer's saturation throughput.
    pub open_runs: bool,
    /// A fixed rate instead of saturation (only the open model, at this rate).
    pub rate: Option<f64>,
}

/// One measured run with what it measured.
#[derive(Debug, Clone)]
pub struct Run {
    pub op: Op,
    pub kind: Kind,
    /// "saturation", "half-ours", "half-peer" or "fixed".
    pub phase: &'static str,
    pub repeat: usize,
    pub summary: Summary,
}

async fn measure(
    targets: &Targets,
    settings: &Settings,
    op: Op,
    kind: Kind,
    model: Model,
    phase: &'static str,
    repeat: usize,
) -> anyhow::Result<Option<Run>> {
    targets.prepare().await?;
    let Some((job, probes)) = targets.job(kind, op) else { return Ok(None) };
    let label = format!("{} {} {} #{}", op.name(), kind.name(), phase, repeat + 1);
    let summary = engine::run(&label, job, model, settings.warmup, settings.duration, &probes).await;
    tracing_note(&format!(
        "{label}: {:.0}/s p50 {:.1} ms p99 {:.1} ms errors {}{}",
        summary.throughput,
        summary.p50_ms,
        summary.p99_ms,
        summary.errors,
        summary.first_errors.first().map(|e| format!(" (first: {e})")).unwrap_or_default()
    ));
    Ok(Some(Run { op, kind, phase, repeat, summary }))
}

/// Every op, every repeat, the targets one after the other.
pub async fn run(targets: &Targets, settings: &Settings) -> anyhow::Result<Vec<Run>> {
    let mut runs = Vec::new();
    let kinds = [Kind::Ours, Kind::Peer, Kind::Floor, Kind::FloorReads];
    for &op in &settings.ops {
        if let Some(rate) = settings.rate {
            for repeat in 0..settings.repeats {
                for kind in kinds {
                    runs.extend(measure(targets, settings, op, kind, Model::Open { rate }, "fixed", repeat).await?);
                }
            }
            continue;
        }
        for repeat in 0..settings.repeats {
            for kind in kinds {
                let model = Model::Closed { concurrency: settings.concurrency };
                runs.extend(measure(targets, settings, op, kind, model, "saturation", repeat).await?);
            }
        }
        if !settings.open_runs {
            continue;
        }
        let saturation = |kind: Kind| {
            let values: Vec<f64> = runs
                .iter()
                .filter(|r| r.op == op && r.kind == kind && r.phase == "saturation")
                .map(|r| r.summary.throughput)
                .collect();
            median_spread(&values).0
        };
        let (ours, peer) = (saturation(Kind::Ours), saturation(Kind::Peer));
        for repeat in 0..settings.repeats {
            if ours.is_finite() && ours > 0.0 {
                let model = Model::Open { rate: ours / 2.0 };
                runs.extend(measure(targets, settings, op, Kind::Ours, model, "half-ours", repeat).await?);
            }
            if peer.is_finite() && peer > 0.0 {
                for kind in [Kind::Ours, Kind::Peer] {
                    let model = Model::Open { rate: peer / 2.0 };
                    runs.extend(measure(targets, settings, op, kind, model, "half-peer", repeat).await?);
                }
            }
        }
    }
    Ok(runs)
}

/// The runs of one (op, target, phase), summarised.
#[derive(Debug, Clone)]
pub struct Row {
    pub op: Op,
    pub kind: Kind,
    pub phase: &'static str,
    pub model: String,
    pub repeats: usize,
    pub throughput: (f64, f64),
    pub p50: (f64, f64),
    pub p95: (f64, f64),
    pub p99: (f64, f64),
    pub max: f64,
    pub errors: u64,
    pub server_cpu_ms: Option<f64>,
    pub db_cpu_ms: Option<f64>,
    pub client_cpu_ms: f64,
}

pub fn rows(runs: &[Run]) -> Vec<Row> {
    let mut keys: Vec<(Op, Kind, &'static str)> = Vec::new();
    for run in runs {
        let key = (run.op, run.kind, run.phase);
        if !keys.contains(&key) {
            keys.push(key);
        }
    }
    keys.into_iter()
        .map(|(op, kind, phase)| {
            let group: Vec<&Summary> =
                runs.iter().filter(|r| r.op == op && r.kind == kind && r.phase == phase).map(|r| &r.summary).collect();
            let of = |f: fn(&Summary) -> f64| median_spread(&group.iter().map(|s| f(s)).collect::<Vec<_>>());
            let optional = |f: fn(&Summary) -> Option<f64>| {
                let values: Vec<f64> = group.iter().filter_map(|s| f(s)).collect();
                (!values.is_empty()).then(|| median_spread(&values).0)
            };
            Row {
                op,
                kind,
                phase,
                model: group.first().map(|s| s.model.label()).unwrap_or_default(),
                repeats: group.len(),
                throughput: of(|s| s.throughput),
                p50: of(|s| s.p50_ms),
                p95: of(|s| s.p95_ms),
                p99: of(|s| s.p99_ms),
                max: group.iter().map(|s| s.max_ms).fold(0.0, f64::max),
                errors: group.iter().map(|s| s.errors).sum(),
                server_cpu_ms: optional(|s| s.server_cpu_ms),
                db_cpu_ms: optional(|s| s.db_cpu_ms),
                client_cpu_ms: of(|s| s.client_cpu_ms).0,
            }
        })
        .collect()
}

fn optional_ms(value: Option<f64>) -> String {
    value.map_or("–".into(), |v| format!("{v:.2}"))
}

/// A Markdown table of the rows.
pub fn table(rows: &[Row]) -> String {
    let mut out = String::from(
        "| op | target | load | runs | req/s (spread) | p50 ms | p95 ms | p99 ms (spread) | max ms | errors | server CPU ms/req | DB CPU ms/req | client CPU ms/req |\n|---|---|---|---|---|---|---|---|---|---|---|---|---|\n",
    );
    for r in rows {
        out.push_str(&format!(
            "| {} | {} | {} {} | {} | {:.0} (±{:.0} %) | {:.1} | {:.1} | {:.1} (±{:.0} %) | {:.0} | {} | {} | {} | {:.2} |\n",
            r.op.name(),
            r.kind.name(),
            r.phase,
            r.model,
            r.repeats,
            r.throughput.0,
            r.throughput.1 * 50.0,
            r.p50.0,
            r.p95.0,
            r.p99.0,
            r.p99.1 * 50.0,
            r.max,
            r.errors,
            optional_ms(r.server_cpu_ms),
            optional_ms(r.db_cpu_ms),
            r.client_cpu_ms,
        ));
    }
    out
}

pub fn to_json(runs: &[Run], rows: &[Row], settings: &Settings, context: Value) -> Value {
    json!({
        "context": context,
        "settings": {
            "ops": settings.ops.iter().map(|o| o.name()).collect::<Vec<_>>(),
            "repeats": settings.repeats,
            "warmupSeconds": settings.warmup.as_secs_f64(),
            "durationSeconds": settings.duration.as_secs_f64(),
            "concurrency": settings.concurrency,
            "rate": settings.rate,
        },
        "summary": rows.iter().map(|r| json!({
            "op": r.op.name(),
            "target": r.kind.name(),
            "phase": r.phase,
            "model": r.model,
            "runs": r.repeats,
            "throughputMedian": r.throughput.0,
            "throughputSpread": r.throughput.1,
            "p50MsMedian": r.p50.0,
            "p95MsMedian": r.p95.0,
            "p99MsMedian": r.p99.0,
            "p99Spread": r.p99.1,
            "maxMs": r.max,
            "errors": r.errors,
            "serverCpuMsPerRequest": r.server_cpu_ms,
            "dbCpuMsPerRequest": r.db_cpu_ms,
            "clientCpuMsPerRequest": r.client_cpu_ms,
        })).collect::<Vec<_>>(),
        "runs": runs.iter().map(|r| {
            let mut value = r.summary.to_json();
            value["op"] = json!(r.op.name());
            value["target"] = json!(r.kind.name());
            value["phase"] = json!(r.phase);
            value["repeat"] = json!(r.repeat + 1);
            value
        }).collect::<Vec<_>>(),
    })
}

/// Probes for a server process tree, and for the backends of the PostgreSQL database the URL
/// names (none for SQLite).
pub fn probes(server_pid: Option<u32>, database_url: &str) -> Probes {
    let postgres = database_url
        .starts_with("postgres")
        .then(|| database_url.rsplit('/').next().unwrap_or_default().split('?').next().unwrap_or_default().to_owned());
    Probes { server: server_pid.map(Probe::Tree), database: postgres.map(Probe::Postgres) }
}
