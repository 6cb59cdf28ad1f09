//! HTTP tests of the whole server, against a real database: SQLite by default, PostgreSQL
//! with IMPRINT_TEST_DB=postgres. `make test` runs this suite once on each.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod helpers;

mod alerts;
mod auth;
mod browser;
mod console;
mod console_api;
mod crash;
mod credentials;
mod definitions;
mod demo;
mod environments;
mod errors;
mod event_types;
mod exports;
mod exposures;
mod hostile;
mod live;
mod live_limits;
mod login_limits;
mod metrics;
mod native_ingest;
mod rbac;
mod retention;
mod retention_strings;
mod sinks;
mod split_ingest;
mod tokens;
mod tracking;
mod usage;
mod users;
