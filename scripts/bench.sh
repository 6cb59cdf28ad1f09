#!/usr/bin/env bash
# `make bench`: builds the server and the load generator in release mode, makes sure
# PostgreSQL is up, then runs the benchmarks on SQLite and on PostgreSQL: ingestion, export,
# live tail and ingestion during a purge. Arguments go to imprint-bench (e.g.
# `bash scripts/bench.sh --only export --export-rows 200000`; `--help` lists them).
# Results: the tables on stdout, and bench-results/<benchmark>.md and .json for each one run.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh

cargo build --release -p imprint-server -p imprint-bench
bash scripts/ensure-postgres.sh
# The sinks benchmark runs moto's S3 server from the project's Python venv.
bash scripts/bootstrap.sh e2e

exec "$CARGO_TARGET_DIR/release/imprint-bench" \
  --server "$CARGO_TARGET_DIR/release/imprint" \
  --out-dir bench-results \
  "$@"
