#!/usr/bin/env bash
# Makes sure PostgreSQL answers on 127.0.0.1:5432, starting the local cluster when it is down,
# and drops databases left behind by earlier test runs. Fails loudly when none can be had:
# the PostgreSQL half of the suite is never skipped silently.
set -euo pipefail
url="${IMPRINT_TEST_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/postgres}"

if ! pg_isready -q -d "$url" 2>/dev/null; then
  if command -v pg_ctlcluster >/dev/null && [ -d /etc/postgresql ]; then
    echo "[postgres] not answering; starting the local cluster"
    for version in $(ls /etc/postgresql); do
      pg_ctlcluster --skip-systemctl-redirect "$version" main start || true
    done
    for _ in $(seq 1 30); do pg_isready -q -d "$url" && break; sleep 1; done
  fi
fi
if ! pg_isready -q -d "$url" 2>/dev/null; then
  echo "error: PostgreSQL is needed for the test suite and is not reachable at $url." >&2
  echo "       Start it, or point IMPRINT_TEST_POSTGRES_URL at one (trust auth, user postgres)." >&2
  exit 1
fi

stale=$(psql "$url" -Atc "SELECT datname FROM pg_database WHERE datname LIKE 'imprint\_t\_%' OR datname LIKE 'imprint\_e2e\_%' OR datname LIKE 'imprint\_bench\_%'")
for db in $stale; do
  psql "$url" -qc "DROP DATABASE IF EXISTS \"$db\" WITH (FORCE)" >/dev/null || true
done
