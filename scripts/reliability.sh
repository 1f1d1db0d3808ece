#!/usr/bin/env bash
# The whole reliability suite at full size (takes about half an hour): SIGKILL crashes, lost
# responses, a full disk, a database outage, SQLite contention, overload shedding, graceful
# shutdown, the backup drill and a 15-minute soak with 500 subscriptions, on SQLite and
# PostgreSQL. `scripts/test.sh` runs the same tests at their short CI sizes.
# Needs root (tmpfs, a PostgreSQL cluster of the outage test's own) and a PostgreSQL at
# PLEJELINK_TEST_POSTGRES_URL (default: the one on 127.0.0.1:5432); skips are failures here.
set -euo pipefail
cd "$(dirname "$0")/.."
export PLEJELINK_TEST_POSTGRES_URL="${PLEJELINK_TEST_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/postgres}"
export PLEJELINK_TEST_REQUIRE_POSTGRES=1
export PLEJELINK_CRASH_KILLS="${PLEJELINK_CRASH_KILLS:-20}"
export PLEJELINK_SOAK_SECONDS="${PLEJELINK_SOAK_SECONDS:-900}"
export PLEJELINK_SOAK_SUBSCRIPTIONS="${PLEJELINK_SOAK_SUBSCRIPTIONS:-500}"

# Black-box scenarios on the in-process server: lost responses (both backends), disk full,
# database outage, contention, overload; then the restore drill.
cargo test -p plejelink-tests --locked --test it -- reliability:: foundation::sqlite_backup_restores_with_the_same_data
# A SQLite write lock held by another process (a binary of its own).
cargo test -p plejelink-tests --locked --test busy
# The real binary: SIGKILL at PLEJELINK_CRASH_KILLS moments on both backends.
cargo test -p plejelink --locked --test crash -- --test-threads 1 --nocapture
# The real binary: SIGTERM with open WebSockets, then the soak (one backend at a time, so the two
# do not measure each other). The curves are in target/tmp/soak-*.csv.
cargo test -p plejelink --locked --test serve -- --test-threads 1 --nocapture

# Both fuzzers, 5 minutes each target and 5 minutes per backend for the GraphQL fuzzer.
bash scripts/fuzz.sh 300
echo "reliability suite passed"
