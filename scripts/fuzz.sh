#!/usr/bin/env bash
# Runs every cargo-fuzz target for SECONDS each (default 30), then the schema-driven GraphQL
# fuzzer for SECONDS per backend (SQLite, and PostgreSQL when one answers). See fuzz/README.md.
#   bash scripts/fuzz.sh 300            # the reliability run
#   bash scripts/fuzz.sh 10 targets     # only the cargo-fuzz targets (CI: `cargo test` already runs
#                                       # the GraphQL fuzzer, PLEJELINK_FUZZ_SECONDS defaults to 15)
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-30}"
only="${2:-all}"
[[ "$seconds" =~ ^[0-9]+$ && "$only" =~ ^(all|targets)$ ]] || { echo "usage: scripts/fuzz.sh [seconds] [targets]" >&2; exit 2; }

# cargo-fuzz drives libFuzzer through nightly-only rustc flags (-Zsanitizer, sancov passes); only
# stable is installed, so RUSTC_BOOTSTRAP=1 lets stable accept them (fuzz/README.md).
command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz --locked
logs="${PLEJELINK_FUZZ_LOG_DIR:-$(mktemp -d)}"
mkdir -p "$logs"
summary=()
(
  # Instrumented builds in their own directory: they must not evict the workspace's build cache.
  export CARGO_TARGET_DIR="${PLEJELINK_FUZZ_TARGET_DIR:-$PWD/fuzz/target}"
  export RUSTC_BOOTSTRAP=1
  cargo fuzz build
)
for target in $(cargo fuzz list); do
  log="$logs/$target.log"
  echo "== cargo fuzz run $target ($seconds s)"
  if ! CARGO_TARGET_DIR="${PLEJELINK_FUZZ_TARGET_DIR:-$PWD/fuzz/target}" RUSTC_BOOTSTRAP=1 \
    cargo fuzz run "$target" -- -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 >"$log" 2>&1; then
    tail -n 60 "$log" >&2
    echo "FAIL: fuzz target $target (log $log; the input is in fuzz/artifacts/$target/, replay with cargo fuzz run $target <file>)" >&2
    exit 1
  fi
  runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo '?')
  summary+=("$target: $runs runs in $seconds s")
done

printf '%s\n' "${summary[@]}"
[ "$only" = all ] || { echo "fuzz: targets passed (logs in $logs)"; exit 0; }

# The GraphQL fuzzer: a development server per backend, as in scripts/test.sh.
if [ -z "${PLEJELINK_TEST_POSTGRES_URL:-}" ] && command -v pg_isready >/dev/null && pg_isready -h 127.0.0.1 -q; then
  export PLEJELINK_TEST_POSTGRES_URL=postgres://postgres@127.0.0.1:5432/postgres
fi
echo "== GraphQL fuzzer ($seconds s per backend)"
PLEJELINK_FUZZ_SECONDS="$seconds" cargo test -p plejelink-tests --test it --locked -- fuzz::graphql_fuzzer --nocapture \
  2>&1 | tee "$logs/graphql.log" | grep -E '^graphql fuzzer|^test |panicked|SKIPPED' || true
grep -q '^test result: ok' "$logs/graphql.log" || { echo "FAIL: GraphQL fuzzer (log $logs/graphql.log)" >&2; exit 1; }

grep -E '^graphql fuzzer on .*cases' "$logs/graphql.log" | sed 's/ (.*), \([0-9]* scoped\)/, \1/' || true
echo "fuzz: all passed (logs in $logs)"
