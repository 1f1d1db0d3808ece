#!/usr/bin/env bash
# Builds the three apps, then starts Plejelink on SQLite with the demo data at http://127.0.0.1:8080
# (apps at /nurse/, /doctor/, /relative/; GraphiQL at /graphiql).
set -euo pipefail
cd "$(dirname "$0")/.."
(cd clients && npm ci --no-audit --no-fund && npm run build)
exec cargo run --locked -p plejelink -- serve --demo "$@"
