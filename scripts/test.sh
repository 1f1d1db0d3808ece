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
# The GraphQL-over-HTTP audit (a black-box test, api_answers::graphql_over_http_audit) runs npm
# graphql-http under Node; without them it is skipped loudly, or fails in CI.
if command -v npm >/dev/null; then
  (cd tests/graphql-http && npm ci --no-audit --no-fund)
fi
# Tests wait on I/O (a server and a database each), so run more of them than there are cores.
cargo test --workspace --locked -- --test-threads 8
# Fuzzing, short (fuzz/README.md): every cargo-fuzz target 10 s. The GraphQL fuzzer already ran in
# `cargo test` above (PLEJELINK_FUZZ_SECONDS, default 15 s per backend).
bash scripts/fuzz.sh 10 targets

# The apps: unit tests, and the end-to-end tests in Chromium against a real server (which also
# build the apps and check each initial bundle against its size budget).
if ! command -v npm >/dev/null; then
  echo "NOTE: no Node.js/npm found; the apps' tests are SKIPPED" >&2
  [ -z "${PLEJELINK_TEST_REQUIRE_CHROMIUM:-}" ] || { echo "FAIL: npm is required" >&2; exit 1; }
else
  (cd clients && npm ci --no-audit --no-fund && npm test)
  if [ -x "${CHROMIUM:-/usr/bin/chromium}" ]; then
    (cd clients && npm run e2e)
  elif [ -n "${PLEJELINK_TEST_REQUIRE_CHROMIUM:-}" ]; then
    echo "FAIL: Chromium is required (apt-get install -y chromium)" >&2; exit 1
  else
    echo "NOTE: no Chromium at /usr/bin/chromium; the end-to-end tests are SKIPPED (apt-get install -y chromium)" >&2
    (cd clients && npm run build)
  fi
fi
