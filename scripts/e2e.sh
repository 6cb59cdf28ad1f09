#!/usr/bin/env bash
# Runs the end-to-end tests (Chromium through playwright-core, the real Split SDKs) against
# the server binary, on SQLite and then on PostgreSQL.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh

export IMPRINT_BIN="${IMPRINT_BIN:-$CARGO_TARGET_DIR/debug/imprint}"
export IMPRINT_SITE_ROOT="$CARGO_TARGET_DIR/site"
if [ ! -x "$IMPRINT_BIN" ]; then
  cargo build -p imprint-server --bin imprint
fi
[ -f "$IMPRINT_SITE_ROOT/pkg/imprint.wasm" ] || bash scripts/build-wasm.sh
# The SDKs under test: npm packages from e2e/package-lock.json, the Python SDK in $IMPRINT_VENV.
bash scripts/bootstrap.sh e2e
mkdir -p e2e/output

# Both databases run even when the first fails, so one run shows every failure.
failed=()
for db in ${IMPRINT_E2E_DATABASES:-sqlite postgres}; do
  echo "== e2e on $db =="
  (cd e2e && IMPRINT_E2E_DB="$db" npm test --silent) || failed+=("$db")
done
if [ ${#failed[@]} -gt 0 ]; then
  echo "e2e failed on: ${failed[*]}" >&2
  exit 1
fi
