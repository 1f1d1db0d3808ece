#!/usr/bin/env bash
# Starts Plejelink on SQLite with the demo data at http://127.0.0.1:8080 (GraphiQL at /graphiql).
set -euo pipefail
cd "$(dirname "$0")/.."
exec cargo run --locked -p plejelink -- serve --demo "$@"
