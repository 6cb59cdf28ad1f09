//! Request and response bodies of Imprint's REST API, shared with the browser console.
//!
//! This crate must stay serde-only so that it compiles to wasm: it never depends on the
//! database, actix or any server-side crate.

mod auth;
mod console;
mod demo;
mod environments;
mod error;
mod events;
mod experiments;
mod sinks;

pub use auth::*;
pub use console::*;
pub use demo::*;
pub use environments::*;
pub use error::*;
pub use events::*;
pub use experiments::*;
pub use sinks::*;
