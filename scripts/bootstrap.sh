#!/usr/bin/env bash
# Installs everything Imprint needs to build, run and test on a fresh Debian machine of this kind.
# Idempotent: each step checks first and only installs what is missing. Versions are pinned here.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh

APT_PACKAGES=(rustc-web cargo-web rust-web-src lld-19 chromium pkg-config)

log() { printf '\033[1;34m[bootstrap]\033[0m %s\n' "$*"; }

install_apt() {
  local missing=()
  for p in "${APT_PACKAGES[@]}"; do
    dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  log "apt: installing ${missing[*]}"
  local sudo=""; [ "$(id -u)" -ne 0 ] && sudo="sudo"
  $sudo apt-get update -qq
  # chromium's archive sometimes fails to unpack on the first try; a retry succeeds.
  for attempt in 1 2 3; do
    if DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}"; then return 0; fi
    log "apt install failed (attempt $attempt), retrying"
    $sudo dpkg --configure -a || true
  done
  return 1
}

install_wasm_bindgen() {
  if [ -x "$IMPRINT_TOOLS/bin/wasm-bindgen" ] &&
     [ "$("$IMPRINT_TOOLS/bin/wasm-bindgen" --version | awk '{print $2}')" = "$WASM_BINDGEN_VERSION" ]; then
    return 0
  fi
  log "cargo install wasm-bindgen-cli $WASM_BINDGEN_VERSION (a few minutes, once)"
  # Not --locked: its lock file names a webpki-roots version the registry no longer has.
  cargo install wasm-bindgen-cli --version "=$WASM_BINDGEN_VERSION" --root "$IMPRINT_TOOLS"
}

install_npm() {
  if [ ! -d e2e/node_modules ] || [ e2e/package-lock.json -nt e2e/node_modules/.installed ]; then
    log "npm: installing e2e and build tools"
    (cd e2e && npm ci --no-audit --no-fund --loglevel=error && touch node_modules/.installed)
  fi
}

# The Split Python SDK for the e2e tests, and moto's S3 server for the API tests of the S3 sink.
PYTHON_REQUIREMENTS=(e2e/requirements.txt scripts/requirements-test-servers.txt)

install_python() {
  if [ ! -x "$IMPRINT_VENV/bin/python" ]; then
    log "python: creating venv for the Python SDK tests and the test servers"
    python3 -m venv "$IMPRINT_VENV"
  fi
  if ! cat "${PYTHON_REQUIREMENTS[@]}" | cmp -s - "$IMPRINT_VENV/.requirements" 2>/dev/null; then
    log "python: installing ${PYTHON_REQUIREMENTS[*]}"
    # One resolution, so both files agree on the packages they share.
    "$IMPRINT_VENV/bin/pip" install -q "${PYTHON_REQUIREMENTS[@]/#/-r}"
    cat "${PYTHON_REQUIREMENTS[@]}" > "$IMPRINT_VENV/.requirements"
  fi
}

what="${1:-all}"
case "$what" in
  build) install_apt; install_wasm_bindgen; install_npm ;;
  all) install_apt; install_wasm_bindgen; install_npm; install_python ;;
  e2e) install_npm; install_python ;;
  *) echo "usage: $0 [build|all|e2e]" >&2; exit 2 ;;
esac
