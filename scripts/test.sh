#!/usr/bin/env bash
# Runs every check and test: formatting, lints, the schema snapshot, unit tests and the black-box
# tests on SQLite and, when PLEJELINK_TEST_POSTGRES_URL is set, on PostgreSQL.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -z "${PLEJELINK_TEST_POSTGRES_URL:-}" ] && command -v pg_isready >/dev/null && pg_isready -h 127.0.0.1 -q; then
  export PLEJELINK_TEST_POSTGRES_URL=postgres://postgres@127.0.0.1:5432/postgres
fi
[ -n "${PLEJELINK_TEST_POSTGRES_URL:-}" ] || echo "NOTE: no PostgreSQL found; its tests will be SKIPPED" >&2
cargo fmt --all --check
cargo clippy --workspace --all-targets --locked -- -D warnings
# Tests wait on I/O (a server and a database each), so run more of them than there are cores.
cargo test --workspace --locked -- --test-threads 8
