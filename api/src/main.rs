//! `plejelink [serve [--demo] [size flags]] | migrate | export-schema | load-demo [size flags]`

// The command line is where printing to stdout belongs (usage, demo logins, schema).
#![allow(clippy::print_stdout)]

use anyhow::{Context, bail};
use plejelink::audit::Verification;
use plejelink::clock::Clock;
use plejelink::configuration::Settings;
use plejelink::demo::{self, DemoSize};
use plejelink::startup::Application;
use plejelink::{db, graphql, telemetry};
use std::io::Write;

/// mimalloc instead of the system allocator: answering a query allocates many small values (rows,
/// resolved fields, JSON), and glibc's malloc was a quarter of the server's instructions for a
/// resident's observations (callgrind; docs/performance.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

const USAGE: &str = "usage: plejelink [serve [--demo] | migrate | export-schema | load-demo | audit verify | backup FILE] \
[--centres N] [--residents-per-centre N] [--days N] [--observations-per-day N]";

struct Args {
    command: String,
    demo: bool,
    size: DemoSize,
}

fn parse_args() -> anyhow::Result<Args> {
    let mut args = std::env::args().skip(1).peekable();
    let mut command = match args.peek() {
        Some(first) if !first.starts_with("--") => args.next().unwrap_or_default(),
        _ => "serve".to_owned(),
    };
    if command == "audit" || command == "backup" {
        command = format!("{command} {}", args.next().unwrap_or_default());
    }
    let mut parsed = Args { command, demo: false, size: DemoSize::default() };
    while let Some(flag) = args.next() {
        let mut number = |name: &str| -> anyhow::Result<u32> {
            args.next().and_then(|v| v.parse().ok()).with_context(|| format!("{name} needs a number\n{USAGE}"))
        };
        match flag.as_str() {
            "--demo" => parsed.demo = true,
            "--centres" => parsed.size.centres = number("--centres")?,
            "--residents-per-centre" => parsed.size.residents_per_centre = number("--residents-per-centre")?,
            "--days" => parsed.size.days = number("--days")?,
            "--observations-per-day" => parsed.size.observations_per_day = number("--observations-per-day")?,
            "-h" | "--help" => {
                println!("{USAGE}");
                std::process::exit(0);
            }
            other => bail!("unknown argument {other}\n{USAGE}"),
        }
    }
    Ok(parsed)
}

/// Loads the demo dataset into an empty database; an already filled database is left alone.
async fn load_demo(settings: &Settings, size: &DemoSize) -> anyhow::Result<bool> {
    let db = db::connect(&settings.database_url).await?;
    if demo::has_users(&db).await? {
        tracing::info!("database already has data; demo data not loaded");
        return Ok(false);
    }
    let hash = plejelink::auth::password::hash_password(demo::DEMO_PASSWORD.into())
        .await
        .map_err(|e| anyhow::anyhow!("hashing the demo password: {e:?}"))?;
    let started = std::time::Instant::now();
    let summary = demo::load(&db, size, chrono::Utc::now(), &hash).await?;
    tracing::info!(
        residents = summary.residents,
        observations = summary.observations,
        questions = summary.questions,
        seconds = started.elapsed().as_secs_f64(),
        "demo data loaded"
    );
    Ok(true)
}

fn print_logins() {
    println!("\nPlejelink demo logins (password: {}):", demo::DEMO_PASSWORD);
    for (email, role) in demo::DEMO_LOGINS {
        println!("  {email:<40} {role}");
    }
    println!();
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = parse_args()?;
    if args.command == "export-schema" {
        std::io::stdout().write_all(graphql::sdl().as_bytes())?;
        return Ok(());
    }
    let settings = Settings::from_env()?;
    telemetry::init(&settings);
    match args.command.as_str() {
        "migrate" => db::migrate(&settings.database_url).await,
        "load-demo" => {
            db::migrate(&settings.database_url).await?;
            load_demo(&settings, &args.size).await.map(|_| ())
        }
        "serve" => {
            let app = Application::build(&settings, Clock::system()).await?;
            if args.demo {
                load_demo(&settings, &args.size).await?;
                print_logins();
            }
            tracing::info!(port = app.port(), "listening");
            app.run_until_stopped().await.context("serving")
        }
        "audit verify" => {
            let db = db::connect(&settings.database_url).await?;
            match plejelink::audit::verify(&db).await.map_err(|e| anyhow::anyhow!("verifying: {e:?}"))? {
                Verification::Intact { rows } => {
                    println!("audit log intact: {rows} rows");
                    Ok(())
                }
                Verification::Broken { seq, reason } => {
                    println!("audit log BROKEN at row {seq}: {reason}");
                    std::process::exit(1);
                }
            }
        }
        backup if backup.starts_with("backup ") && backup.len() > "backup ".len() => {
            let target = std::path::PathBuf::from(&backup["backup ".len()..]);
            let db = db::connect(&settings.database_url).await?;
            plejelink::backup::sqlite_backup(&db, &target).await?;
            println!("backup written to {}", target.display());
            Ok(())
        }
        other => bail!("unknown command {other}\n{USAGE}"),
    }
}
