//! The two load models.
//!
//! - **Closed** (saturation): `concurrency` workers, each sends its next request when the last
//!   one answered. Measures the throughput a server sustains.
//! - **Open** (fixed rate): request `i` is due at `start + i / rate`, whether or not earlier ones
//!   answered, and its latency counts from that intended send time. A server that stalls
//!   therefore shows the stall in every request that should have gone out meanwhile
//!   (no coordinated omission), as users arriving independently would feel it.

use crate::cpu::Probe;
use hdrhistogram::Histogram;
use serde_json::{Value, json};
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::time::Instant;

/// One request: `Ok` when the answer was valid, else why not.
pub type JobFuture = Pin<Box<dyn Future<Output = Result<(), String>> + Send>>;
/// Makes request number `n`.
pub type Job = Arc<dyn Fn(u64) -> JobFuture + Send + Sync>;

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Model {
    Closed { concurrency: usize },
    Open { rate: f64 },
}

impl Model {
    pub fn label(&self) -> String {
        match self {
            Model::Closed { concurrency } => format!("closed c={concurrency}"),
            Model::Open { rate } => format!("open {rate:.0}/s"),
        }
    }
}

/// Requests still in flight beyond which the open model counts a request as failed instead of
/// sending it (the client, not the server, would be the limit then).
const MAX_OUTSTANDING: u64 = 4096;
/// Error messages kept per run.
const KEPT_ERRORS: usize = 5;

struct Recorder {
    latencies: Mutex<Histogram<u64>>,
    ok: AtomicU64,
    errors: AtomicU64,
    first_errors: Mutex<Vec<String>>,
}

impl Recorder {
    fn new() -> Self {
        // Microseconds, 1 µs to 120 s, 3 significant figures.
        let histogram = Histogram::new_with_bounds(1, 120_000_000, 3).expect("valid histogram bounds");
        Self {
            latencies: Mutex::new(histogram),
            ok: AtomicU64::new(0),
            errors: AtomicU64::new(0),
            first_errors: Mutex::new(Vec::new()),
        }
    }

    fn record(&self, latency: Duration, result: Result<(), String>) {
        let micros = (latency.as_micros() as u64).clamp(1, 120_000_000);
        self.latencies.lock().unwrap_or_else(|e| e.into_inner()).saturating_record(micros);
        match result {
            Ok(()) => {
                self.ok.fetch_add(1, Ordering::Relaxed);
            }
            Err(message) => {
                self.errors.fetch_add(1, Ordering::Relaxed);
                let mut kept = self.first_errors.lock().unwrap_or_else(|e| e.into_inner());
                if kept.len() < KEPT_ERRORS {
                    kept.push(message);
                }
            }
        }
    }
}

/// The outcome of one measured run.
#[derive(Debug, Clone)]
pub struct Summary {
    pub label: String,
    pub model: Model,
    pub seconds: f64,
    pub ok: u64,
    pub errors: u64,
    pub first_errors: Vec<String>,
    pub throughput: f64,
    pub p50_ms: f64,
    pub p95_ms: f64,
    pub p99_ms: f64,
    pub max_ms: f64,
    /// CPU seconds per request of the server process (tree), when a pid was given.
    pub server_cpu_ms: Option<f64>,
    /// CPU seconds per request of all PostgreSQL processes, when measured.
    pub db_cpu_ms: Option<f64>,
    /// CPU seconds per request of the load generator itself.
    pub client_cpu_ms: f64,
}

impl Summary {
    pub fn to_json(&self) -> Value {
        json!({
            "label": self.label,
            "model": self.model.label(),
            "seconds": self.seconds,
            "ok": self.ok,
            "errors": self.errors,
            "firstErrors": self.first_errors,
            "throughput": self.throughput,
            "p50Ms": self.p50_ms,
            "p95Ms": self.p95_ms,
            "p99Ms": self.p99_ms,
            "maxMs": self.max_ms,
            "serverCpuMsPerRequest": self.server_cpu_ms,
            "dbCpuMsPerRequest": self.db_cpu_ms,
            "clientCpuMsPerRequest": self.client_cpu_ms,
        })
    }
}

/// What to measure besides latency.
#[derive(Debug, Clone, Default)]
pub struct Probes {
    pub server: Option<Probe>,
    pub database: Option<Probe>,
}

/// Runs `job` under `model` for `warmup` (discarded) and then `duration` (measured).
pub async fn run(
    label: &str,
    job: Job,
    model: Model,
    warmup: Duration,
    duration: Duration,
    probes: &Probes,
) -> Summary {
    if !warmup.is_zero() {
        drive(job.clone(), model, warmup, Arc::new(Recorder::new())).await;
    }
    let recorder = Arc::new(Recorder::new());
    let cpu = |probe: &Option<Probe>| probe.as_ref().map(Probe::seconds);
    let (server_before, db_before, me_before) = (cpu(&probes.server), cpu(&probes.database), Probe::Me.seconds());
    let started = Instant::now();
    drive(job, model, duration, recorder.clone()).await;
    let seconds = started.elapsed().as_secs_f64();
    let (server_after, db_after, me_after) = (cpu(&probes.server), cpu(&probes.database), Probe::Me.seconds());
    let ok = recorder.ok.load(Ordering::Relaxed);
    let errors = recorder.errors.load(Ordering::Relaxed);
    let requests = (ok + errors).max(1) as f64;
    let per_request = |before: Option<f64>, after: Option<f64>| Some((after? - before?) * 1000.0 / requests);
    let histogram = recorder.latencies.lock().unwrap_or_else(|e| e.into_inner()).clone();
    let ms = |micros: u64| micros as f64 / 1000.0;
    let first_errors = recorder.first_errors.lock().unwrap_or_else(|e| e.into_inner()).clone();
    Summary {
        label: label.to_owned(),
        model,
        seconds,
        ok,
        errors,
        first_errors,
        throughput: ok as f64 / seconds,
        p50_ms: ms(histogram.value_at_quantile(0.50)),
        p95_ms: ms(histogram.value_at_quantile(0.95)),
        p99_ms: ms(histogram.value_at_quantile(0.99)),
        max_ms: ms(histogram.max()),
        server_cpu_ms: per_request(server_before, server_after),
        db_cpu_ms: per_request(db_before, db_after),
        client_cpu_ms: (me_after - me_before) * 1000.0 / requests,
    }
}

async fn drive(job: Job, model: Model, duration: Duration, recorder: Arc<Recorder>) {
    let counter = Arc::new(AtomicU64::new(0));
    let start = Instant::now();
    let end = start + duration;
    match model {
        Model::Closed { concurrency } => {
            let workers: Vec<_> = (0..concurrency.max(1))
                .map(|_| {
                    let (job, recorder, counter) = (job.clone(), recorder.clone(), counter.clone());
                    tokio::spawn(async move {
                        while Instant::now() < end {
                            let n = counter.fetch_add(1, Ordering::Relaxed);
                            let sent = Instant::now();
                            let result = job(n).await;
                            recorder.record(sent.elapsed(), result);
                        }
                    })
                })
                .collect();
            for worker in workers {
                let _ = worker.await;
            }
        }
        Model::Open { rate } => {
            let interval = Duration::from_secs_f64(1.0 / rate.max(0.001));
            let outstanding = Arc::new(AtomicU64::new(0));
            let mut tasks = Vec::new();
            let mut n = 0u64;
            loop {
                let intended = start + interval.mul_f64(n as f64);
                if intended >= end {
                    break;
                }
                tokio::time::sleep_until(intended).await;
                if outstanding.load(Ordering::Relaxed) >= MAX_OUTSTANDING {
                    recorder.record(Duration::ZERO, Err("load generator: too many requests outstanding".into()));
                    n += 1;
                    continue;
                }
                outstanding.fetch_add(1, Ordering::Relaxed);
                let (job, recorder, outstanding) = (job.clone(), recorder.clone(), outstanding.clone());
                tasks.push(tokio::spawn(async move {
                    let result = job(n).await;
                    // From the intended send time, not from when the request actually left.
                    recorder.record(intended.elapsed(), result);
                    outstanding.fetch_sub(1, Ordering::Relaxed);
                }));
                n += 1;
            }
            for task in tasks {
                let _ = task.await;
            }
        }
    }
}

/// Median and spread ((max − min) / median) of repeated measurements.
pub fn median_spread(values: &[f64]) -> (f64, f64) {
    let mut sorted: Vec<f64> = values.iter().copied().filter(|v| v.is_finite()).collect();
    if sorted.is_empty() {
        return (f64::NAN, f64::NAN);
    }
    sorted.sort_by(f64::total_cmp);
    let n = sorted.len();
    let median = if n % 2 == 1 { sorted[n / 2] } else { (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0 };
    let spread = if median > 0.0 { (sorted[n - 1] - sorted[0]) / median } else { 0.0 };
    (median, spread)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn open_model_counts_latency_from_the_intended_send_time() {
        // A server that answers in 50 ms but takes requests one at a time: at 100/s the queue
        // grows, and the latency of the later requests must show it (coordinated omission).
        let gate = Arc::new(tokio::sync::Mutex::new(()));
        let job: Job = Arc::new(move |_| {
            let gate = gate.clone();
            Box::pin(async move {
                let _one_at_a_time = gate.lock().await;
                tokio::time::sleep(Duration::from_millis(50)).await;
                Ok(())
            })
        });
        let summary =
            run("t", job, Model::Open { rate: 100.0 }, Duration::ZERO, Duration::from_millis(500), &Probes::default())
                .await;
        assert_eq!(summary.errors, 0);
        assert!(summary.ok >= 45, "{summary:?}");
        // 50 requests × 50 ms = 2.5 s of work for 0.5 s of arrivals: the last waits ~2 s.
        assert!(summary.max_ms > 1500.0, "max {} ms", summary.max_ms);
    }

    #[test]
    fn median_and_spread() {
        assert_eq!(median_spread(&[3.0, 1.0, 2.0]), (2.0, 1.0));
        assert_eq!(median_spread(&[4.0, 2.0]), (3.0, 2.0 / 3.0));
    }
}
