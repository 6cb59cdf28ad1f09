# Imprint: `make run` to try it, `make test` to check everything. See README.md.
SHELL := /bin/bash
ENV := source scripts/env.sh &&

.PHONY: run build build-server build-wasm test lint test-rust test-sqlite test-postgres e2e bench deps clean

## Install what is missing, build in release mode, start on SQLite with a demo admin and demo traffic.
run: build
	$(ENV) mkdir -p data && RUST_LOG=$${RUST_LOG:-info} "$$CARGO_TARGET_DIR/release/imprint" serve --demo-admin --demo

build: deps-build build-wasm build-server

build-server:
	$(ENV) cargo build --release -p imprint-server

build-wasm:
	bash scripts/build-wasm.sh

deps-build:
	bash scripts/bootstrap.sh build

deps:
	bash scripts/bootstrap.sh all

## Everything CI checks: formatting, lints, unit and API tests on SQLite and PostgreSQL,
## then the browser and SDK end-to-end tests.
test: deps lint test-rust build-wasm e2e

lint:
	$(ENV) cargo fmt --all --check
	$(ENV) cargo clippy --workspace --all-targets -- -D warnings
	$(ENV) cargo clippy -p imprint-app --no-default-features --features hydrate -- -D warnings

test-rust: test-sqlite test-postgres

test-sqlite:
	$(ENV) IMPRINT_TEST_DB=sqlite cargo test --workspace

test-postgres:
	bash scripts/ensure-postgres.sh
	$(ENV) IMPRINT_TEST_DB=postgres cargo test -p imprint-server --test api

## Browser and SDK tests against the debug server built by the Rust tests.
e2e:
	bash scripts/ensure-postgres.sh
	bash scripts/e2e.sh

bench:
	bash scripts/bench.sh

clean:
	rm -rf data e2e/output
