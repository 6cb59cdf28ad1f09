# Shared settings for the project's scripts. Sourced, not run.
export IMPRINT_CACHE="${IMPRINT_CACHE:-$HOME/.cache/imprint}"
export IMPRINT_TOOLS="$IMPRINT_CACHE/tools"
export IMPRINT_VENV="$IMPRINT_CACHE/venv"
# Build output lives outside the clone so CI's fresh clones reuse it.
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$IMPRINT_CACHE/target}"
export WASM_TARGET_DIR="${WASM_TARGET_DIR:-$IMPRINT_CACHE/target-wasm}"
# Must equal the wasm-bindgen crate version pinned in Cargo.toml.
export WASM_BINDGEN_VERSION="0.2.130"
export PATH="$IMPRINT_TOOLS/bin:$HOME/.cargo/bin:$PATH"
