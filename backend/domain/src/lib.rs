//! Imprint's domain rules. Nothing here knows about HTTP, actors or the database.

pub mod account;
pub mod definitions;
pub mod ingest;
pub mod origins;
pub mod stats;

pub use imprint_types::Role;
