#!/usr/bin/env bash
# Builds the console's browser bundle (Leptos hydrate) into $CARGO_TARGET_DIR/site/pkg.
#
# rustup's toolchain here has no wasm32 target, so this uses Debian's rustc-web with its std
# sources (-Zbuild-std) and LLVM's wasm-ld, in a target folder of its own.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh

site_pkg="$CARGO_TARGET_DIR/site/pkg"
wasm_out="$WASM_TARGET_DIR/wasm32-unknown-unknown/wasm-release/imprint_app.wasm"

RUSTC_BOOTSTRAP=1 RUSTC=/usr/bin/rustc /usr/bin/cargo build --lib \
  -p imprint-app --target wasm32-unknown-unknown --no-default-features --features hydrate \
  --profile wasm-release -Zbuild-std=std,panic_abort --target-dir "$WASM_TARGET_DIR"

mkdir -p "$site_pkg"
# Only re-run the slow steps when the module changed.
if [ "$site_pkg/imprint.wasm" -nt "$wasm_out" ] && [ -f "$site_pkg/imprint.js" ]; then
  exit 0
fi
"$IMPRINT_TOOLS/bin/wasm-bindgen" --target web --no-typescript \
  --out-dir "$site_pkg" --out-name imprint "$wasm_out"
# Leptos's HydrationScripts asks for /pkg/imprint.wasm.
mv "$site_pkg/imprint_bg.wasm" "$site_pkg/imprint.wasm"
# binaryen from npm (pinned in e2e/package.json); Debian's binaryen 108 breaks the module.
wasm_opt="e2e/node_modules/.bin/wasm-opt"
if [ -x "$wasm_opt" ]; then
  "$wasm_opt" -Oz --enable-bulk-memory --enable-nontrapping-float-to-int \
    "$site_pkg/imprint.wasm" -o "$site_pkg/imprint.wasm"
fi
ls -l "$site_pkg"
