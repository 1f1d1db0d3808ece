#!/usr/bin/env bash
# The comparison of docs/performance.md: Plejelink, PostGraphile and the SQL floor on PostgreSQL,
# then Plejelink on SQLite, for one dataset size; `growth` compares the two sizes.
#
#   bash tests/load/compare.sh load small   # load the datasets (once; a filled database is kept)
#   bash tests/load/compare.sh load full
#   bash tests/load/compare.sh load narrow
#   bash tests/load/compare.sh small        # the tables for the small dataset
#   bash tests/load/compare.sh full         # ... for the full (region) dataset
#   bash tests/load/compare.sh growth small # latency of (a), (b) at a low fixed rate, small vs full
#   bash tests/load/compare.sh growth narrow
#   bash tests/load/compare.sh ab OLD_BIN   # an older server build against this one, alternating
#
# Sizes: full = 50 centres × 60 residents × 180 days × 4 sets (about 2.2 M observations and
# 30,000 questions, a region); small = the same region over 18 days; narrow = 5 centres over 180
# days (both 10× fewer observations and questions; see size_flags).
#
# Needs PostgreSQL on 127.0.0.1:5432 (user postgres, trust auth) and npm (PostGraphile is
# installed into tests/load/postgraphile/node_modules on first use, with Node 22 from npm).
# Datasets live in $BENCH_DIR (default /work/datasets), results in $BENCH_DIR/results. Every
# server it starts, it stops. Knobs: REPEATS (3), DURATION (seconds, 6), WARMUP (2), PLEJELINK_BIN
# (another server binary, e.g. a build from before an optimisation; the build is skipped then).
set -euo pipefail
cd "$(dirname "$0")/../.."
bench=${BENCH_DIR:-/work/datasets}
out=$bench/results
target=${CARGO_TARGET_DIR:-target}
bin=${PLEJELINK_BIN:-$target/release/plejelink}
load=$target/release/plejelink-load
repeats=${REPEATS:-3}
duration=${DURATION:-6}
warmup=${WARMUP:-2}
mkdir -p "$out"
pids=()
stop() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; }
trap stop EXIT

# --centres and --days of each size: full is a region; small has 10× fewer observations and
# questions over the same users and residents; narrow has 10× fewer over 5 centres with the full
# history each (the same answers per resident, a 10× smaller table).
size_flags() {
  case $1 in
    small) echo "--centres 50 --days 18" ;;
    full) echo "--centres 50 --days 180" ;;
    narrow) echo "--centres 5 --days 180" ;;
    *) echo "small, full or narrow, not $1" >&2; exit 2 ;;
  esac
}
pg_url() { echo "postgres://postgres@127.0.0.1:5432/plejelink_bench_$1"; }
sqlite_url() { echo "sqlite://$bench/$1/plejelink.sqlite?mode=rwc"; }

load_dataset() { # SIZE
  local size=$1 flags
  flags=$(size_flags "$size")
  if ! psql -h 127.0.0.1 -U postgres -Atc "SELECT 1 FROM pg_database WHERE datname = 'plejelink_bench_$size'" | grep -q 1; then
    psql -h 127.0.0.1 -U postgres -qc "CREATE DATABASE plejelink_bench_$size"
  fi
  mkdir -p "$bench/$size"
  for url in "$(pg_url "$size")" "$(sqlite_url "$size")"; do
    local start
    start=$(date +%s)
    # shellcheck disable=SC2086 # the flags are words
    PLEJELINK_DATABASE_URL=$url PLEJELINK_DATA_DIR=$bench/$size $bin load-demo $flags \
      --residents-per-centre 60 --observations-per-day 4
    echo "load-demo $size into ${url%%:*}: $(($(date +%s) - start)) s" | tee -a "$out/load-times.txt"
  done
  # What the peer needs (SQL functions; Plejelink does not use them).
  psql -h 127.0.0.1 -U postgres -d "plejelink_bench_$size" -q -f tests/load/postgraphile/peer.sql
  psql -h 127.0.0.1 -U postgres -d "plejelink_bench_$size" -qc "VACUUM ANALYZE"
}

serve() { # URL DATA_DIR PORT -> pid of a Plejelink server on the port
  PLEJELINK_DATABASE_URL=$1 PLEJELINK_DATA_DIR=$2 PLEJELINK_BIND=127.0.0.1:$3 PLEJELINK_LOG=warn \
  PLEJELINK_LOGIN_ATTEMPTS_PER_ADDRESS=1000000 PLEJELINK_MAX_IN_FLIGHT=4096 PLEJELINK_CLIENTS_DIR=/nonexistent \
    $bin serve >"$out/serve-$3.log" 2>&1 &
  local pid=$!
  for _ in $(seq 150); do curl -sf "http://127.0.0.1:$3/healthz" >/dev/null && break; sleep 0.2; done
  echo $pid
}

peer() { # URL PORT -> pid of PostGraphile (two worker processes: every core, as Plejelink's threads)
  if [ ! -x tests/load/postgraphile/node_modules/.bin/node ]; then
    (cd tests/load/postgraphile && npm ci --no-audit --no-fund >/dev/null 2>&1)
  fi
  (cd tests/load/postgraphile && DATABASE_URL=$1 PORT=$2 WORKERS=2 NODE_ENV=production \
    exec node_modules/.bin/node server.mjs >"$out/postgraphile-$2.log" 2>&1) &
  local pid=$!
  for _ in $(seq 150); do
    curl -sf -o /dev/null -H 'content-type: application/json' -d '{"query":"{__typename}"}' \
      "http://127.0.0.1:$2/graphql" && break
    sleep 0.3
  done
  echo $pid
}

run() { # NAME ARGS... : one harness run; its table on stdout and in $out/NAME.md
  local name=$1; shift
  $load "$@" --label "$name" --out "$out/$name.json" >"$out/$name.md" 2>"$out/$name.log" || echo "($name had failures: see $out/$name.log)"
  cat "$out/$name.md"
}

compare() { # SIZE
  local size=$1 pg sqlite ours peer_pid
  pg=$(pg_url "$size")
  sqlite=$(sqlite_url "$size")
  local common=(--repeats "$repeats" --duration "$duration" --warmup "$warmup")
  ours=$(serve "$pg" "$bench/$size" 8190); pids+=("$ours")
  peer_pid=$(peer "$pg" 5690); pids+=("$peer_pid")
  run "pg-$size-abc" --database-url "$pg" --ours http://127.0.0.1:8190 --ours-pid "$ours" \
    --peer http://127.0.0.1:5690 --peer-pid "$peer_pid" --floor --ops a,b,c "${common[@]}"
  kill "$peer_pid"
  run "pg-$size-de" --database-url "$pg" --ours http://127.0.0.1:8190 --ours-pid "$ours" --ops d,e "${common[@]}"
  kill "$ours"
  ours=$(serve "$sqlite" "$bench/$size" 8191); pids+=("$ours")
  run "sqlite-$size" --database-url "$sqlite" --ours http://127.0.0.1:8191 --ours-pid "$ours" --ops a,b,c,d,e "${common[@]}"
  kill "$ours"
}

growth() { # SMALL: latency of (a) and (b) at 20 requests/s, SMALL and full alternating, each backend
  local size=$1 small full
  for backend in pg sqlite; do
    if [ $backend = pg ]; then small=$(pg_url "$size"); full=$(pg_url full); else small=$(sqlite_url "$size"); full=$(sqlite_url full); fi
    local s f
    s=$(serve "$small" "$bench/$size" 8192); pids+=("$s")
    f=$(serve "$full" "$bench/full" 8193); pids+=("$f")
    for i in $(seq "$repeats"); do
      run "growth-$backend-$size-$i" --database-url "$small" --ours http://127.0.0.1:8192 --ours-pid "$s" \
        --ops a,b --rate 20 --repeats 1 --duration "$duration" --warmup 1
      run "growth-$backend-full-vs-$size-$i" --database-url "$full" --ours http://127.0.0.1:8193 --ours-pid "$f" \
        --ops a,b --rate 20 --repeats 1 --duration "$duration" --warmup 1
    done
    kill "$s" "$f"
  done
}

ab() { # BEFORE_BIN SIZE: two server builds on the same database, alternating (an optimisation's effect)
  local before=$1 size=$2 backend url a b
  for backend in pg sqlite; do
    if [ $backend = pg ]; then url=$(pg_url "$size"); else url=$(sqlite_url "$size"); fi
    a=$(bin=$before serve "$url" "$bench/$size" 8194); pids+=("$a")
    b=$(serve "$url" "$bench/$size" 8195); pids+=("$b")
    for i in $(seq "$repeats"); do
      run "ab-$backend-$size-before-$i" --database-url "$url" --ours http://127.0.0.1:8194 --ours-pid "$a" \
        --ops a,b,c --no-open-runs --repeats 1 --duration "$duration" --warmup "$warmup"
      run "ab-$backend-$size-after-$i" --database-url "$url" --ours http://127.0.0.1:8195 --ours-pid "$b" \
        --ops a,b,c --no-open-runs --repeats 1 --duration "$duration" --warmup "$warmup"
    done
    kill "$a" "$b"
  done
}

if [ -z "${PLEJELINK_BIN:-}" ]; then cargo build --release -p plejelink -p plejelink-load; fi
case ${1:?usage: compare.sh load SIZE, small|full|narrow, growth small|narrow or ab OLD_BIN} in
  load) load_dataset "${2:?small or full}" ;;
  small | full | narrow) compare "$1" ;;
  growth) growth "${2:-small}" ;;
  ab) ab "${2:?the server binary from before}" "${3:-full}" ;;
  *) echo "usage: compare.sh load SIZE, small|full|narrow, growth small|narrow or ab OLD_BIN" >&2; exit 2 ;;
esac
