//! SeaORM entities, one file per table.

pub mod api_token;
pub mod session;
pub mod user;
