#!/usr/bin/env bash
# `make bench`: builds the server and the load generator in release mode, makes sure
# PostgreSQL is up, then measures ingestion on SQLite and on PostgreSQL. Arguments go to
# imprint-bench (e.g. `bash scripts/bench.sh --duration-secs 60`; `--help` lists them).
# Results: a table on stdout, bench-results/ingest.md and bench-results/ingest.json.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh

cargo build --release -p imprint-server -p imprint-bench
bash scripts/ensure-postgres.sh

exec "$CARGO_TARGET_DIR/release/imprint-bench" \
  --server "$CARGO_TARGET_DIR/release/imprint" \
  --out-dir bench-results \
  "$@"
