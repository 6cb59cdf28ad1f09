//! The Imprint server. Layers depend one way: `http` → services and actors → `imprint-store`
//! → `imprint-domain`.

pub mod activity;
pub mod actors;
pub mod alerts;
pub mod auth;
mod bootstrap;
pub mod config;
pub mod console;
pub mod demo;
pub mod http;
pub mod impact;
pub mod ingest;
pub mod sinks;
pub mod standard_webhooks;
pub mod startup;
pub mod state;
pub mod telemetry;
